import { SnsTopic } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import { configurationSetArn } from './event-targets';
import { RuleViolation, quote } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

export interface EventTopicProps {
  /** The topic's name: 1 to 256 letters, digits, "_" and "-" (a standard topic: SES refuses FIFO ones). */
  readonly topicName: string;
  /** The configuration set that publishes to it: the only set the topic policy lets SES publish for. */
  readonly configurationSetName: string;
  /** The account and region of the set (and the topic). */
  readonly accountId: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * An SNS topic for a configuration set's events, over `aws_sns_topic`, whose policy lets SES publish
 * to it for this set only (the conditions SES documents: `AWS:SourceAccount` and `AWS:SourceArn`), and
 * leaves every other permission to the account's owner.
 */
export class EventTopic extends Construct {
  /** The topic policy: SES may publish, for this set in this account only. */
  static policyFor(props: EventTopicProps): Record<string, unknown> {
    const partition = props.partition ?? 'aws';
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SesPublishesThisSetsEvents',
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: 'SNS:Publish',
          Resource: EventTopic.arnOf(props),
          Condition: {
            StringEquals: { 'AWS:SourceAccount': props.accountId },
            ArnLike: {
              'AWS:SourceArn': configurationSetArn(
                props.accountId,
                props.region,
                props.configurationSetName,
                partition,
              ),
            },
          },
        },
      ],
    };
  }

  /** The topic's ARN, known before it exists (what the destination names). */
  static arnOf(props: Pick<EventTopicProps, 'topicName' | 'accountId' | 'region' | 'partition'>): string {
    return `arn:${props.partition ?? 'aws'}:sns:${props.region}:${props.accountId}:${props.topicName}`;
  }

  readonly resource: SnsTopic;
  /** The topic's ARN, as a literal: the plan shows it, not "(known after apply)". */
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: EventTopicProps) {
    super(scope, id);
    SesValidationError.throwIfAny(this.node.path, EventTopic.violations(props));
    this.topicArn = EventTopic.arnOf(props);
    this.resource = new SnsTopic(this, 'Resource', {
      name: props.topicName,
      policy: JSON.stringify(EventTopic.policyFor(props)),
    });
  }

  private static violations(props: EventTopicProps): RuleViolation[] {
    if (TOPIC_NAME.test(props.topicName)) return [];
    return [
      {
        path: ['topicName'],
        message: `${quote(props.topicName)} is not an SNS topic name: use 1 to 256 letters, digits, "_" and "-" (SES publishes to standard topics only, not ".fifo" ones).`,
      },
    ];
  }
}
