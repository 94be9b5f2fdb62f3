import { IamRole, IamRolePolicy } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import { arnViolations, configurationSetArn } from './event-targets';
import { RuleViolation, prefixed, quote } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

export interface FirehoseDeliveryRoleProps {
  /** The role's name: 1 to 64 letters, digits and + = , . @ _ - (IAM names are global to the account). */
  readonly roleName: string;
  /** The delivery stream SES writes to: the only resource the role may put records on. */
  readonly deliveryStreamArn: string;
  /** The configuration set whose events SES writes: the only set that may use the role. */
  readonly configurationSetName: string;
  readonly accountId: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * The IAM role SES assumes to write a configuration set's events to a Firehose delivery stream, over
 * `aws_iam_role` and `aws_iam_role_policy`: trusted by ses.amazonaws.com for this set in this account
 * only (the confused-deputy conditions SES documents), allowed `firehose:PutRecordBatch` on the one
 * stream and nothing else.
 */
export class FirehoseDeliveryRole extends Construct {
  /** Who may assume the role: SES, publishing for this set in this account. */
  static trustPolicyFor(props: FirehoseDeliveryRoleProps): Record<string, unknown> {
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: {
              'AWS:SourceAccount': props.accountId,
              'AWS:SourceArn': configurationSetArn(
                props.accountId,
                props.region,
                props.configurationSetName,
                props.partition,
              ),
            },
          },
        },
      ],
    };
  }

  /** What the role may do: put records on the one stream. */
  static permissionPolicyFor(props: Pick<FirehoseDeliveryRoleProps, 'deliveryStreamArn'>): Record<string, unknown> {
    return {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'firehose:PutRecordBatch', Resource: props.deliveryStreamArn }],
    };
  }

  /** The role's ARN, known before it exists. */
  static arnOf(props: Pick<FirehoseDeliveryRoleProps, 'roleName' | 'accountId' | 'partition'>): string {
    return `arn:${props.partition ?? 'aws'}:iam::${props.accountId}:role/${props.roleName}`;
  }

  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  /** The role's ARN, as a literal: the plan shows it. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: FirehoseDeliveryRoleProps) {
    super(scope, id);
    SesValidationError.throwIfAny(this.node.path, FirehoseDeliveryRole.violations(props));
    this.roleArn = FirehoseDeliveryRole.arnOf(props);
    this.role = new IamRole(this, 'Resource', {
      name: props.roleName,
      description: `SES writes the events of configuration set ${props.configurationSetName} to its Firehose stream`,
      assumeRolePolicy: JSON.stringify(FirehoseDeliveryRole.trustPolicyFor(props)),
    });
    this.policy = new IamRolePolicy(this, 'Policy', {
      role: this.role.name,
      name: 'put-records',
      policy: JSON.stringify(FirehoseDeliveryRole.permissionPolicyFor(props)),
    });
  }

  private static violations(props: FirehoseDeliveryRoleProps): RuleViolation[] {
    const found: RuleViolation[] = [];
    if (!ROLE_NAME.test(props.roleName))
      found.push({
        path: ['roleName'],
        message: `${quote(props.roleName)} is not an IAM role name: use 1 to 64 letters, digits and + = , . @ _ -.`,
      });
    found.push(
      ...prefixed(
        ['deliveryStreamArn'],
        arnViolations('deliveryStream', props.deliveryStreamArn, {
          accountId: props.accountId,
          region: props.region,
          allowCrossAccount: true,
        }),
      ),
    );
    return found;
  }
}
