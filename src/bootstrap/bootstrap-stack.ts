/**
 * The bootstrap stack of one account, deployed once with admin credentials before the first plan:
 * the S3 state bucket (versioned, encrypted, private, TLS only, old state versions expired) and the
 * deploy role that the environment stacks assume, trusting only the pipeline's principal.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { FleetStack } from '../fleet/fleet';
import type { LocalTarget } from '../local/local-target';
import { deployRolePolicy } from './deploy-policy';

/** Days a replaced state version is kept, to recover from a bad apply. */
export const STATE_VERSION_RETENTION_DAYS = 90;

export interface SesBootstrapStackProps {
  /** The fleet's stacks of one account that share a state bucket (every region of their environments). */
  readonly stacks: readonly FleetStack[];
  /** Where this stack keeps its own state (the bucket does not exist yet). */
  readonly stateFile: string;
  /**
   * A role to assume for the admin work.
   * @default - the ambient admin credentials
   */
  readonly adminRoleArn?: string;
  /**
   * Retarget at the embedded emulator.
   * @default - real AWS
   */
  readonly local?: LocalTarget;
}

/** `path` and `name` of a role ARN such as `arn:aws:iam::1:role/teams/ses-deploy`. */
export function roleNameAndPath(roleArn: string): { name: string; path: string } {
  const parts = roleArn.split(':role/')[1].split('/');
  const name = parts.pop()!;
  return { name, path: parts.length > 0 ? `/${parts.join('/')}/` : '/' };
}

export class SesBootstrapStack extends TerraformStack {
  static stackName(accountId: string): string {
    return `bootstrap-${accountId}`;
  }

  constructor(scope: Construct, props: SesBootstrapStackProps) {
    const { stacks, local } = props;
    const environments = [...new Set(stacks.map((stack) => stack.environment))];
    const [first] = environments;
    const accounts = new Set(environments.map((environment) => environment.accountId));
    const buckets = new Set(
      environments.map((environment) => `${environment.stateBackend.bucket} in ${environment.stateBackend.region}`),
    );
    if (accounts.size !== 1 || buckets.size !== 1)
      throw new Error(
        `a bootstrap stack serves one account and one state bucket; found accounts ${[...accounts].join(', ')} and buckets ${[...buckets].join(', ')}.`,
      );
    super(scope, SesBootstrapStack.stackName(first.accountId));
    const { accountId, stateBackend } = first;

    new AwsProvider(this, 'aws', {
      region: stateBackend.region,
      allowedAccountIds: [accountId],
      ...(props.adminRoleArn
        ? { assumeRole: [{ roleArn: props.adminRoleArn, sessionName: 'sesform-bootstrap' }] }
        : {}),
      defaultTags: [{ tags: { 'managed-by': 'sesform-bootstrap' } }],
      ...(local
        ? {
            endpoints: [{ s3: local.endpoint, sts: local.endpoint, iam: local.endpoint }],
            maxRetries: 2,
            skipCredentialsValidation: true,
            skipMetadataApiCheck: 'true',
            s3UsePathStyle: true,
            ...(local.tls ? { insecure: true } : {}),
          }
        : {}),
    });
    if (local) this.addOverride('terraform.required_providers.aws.version', local.providerVersion);
    new LocalBackend(this, { path: props.stateFile });

    const bucket = new S3Bucket(this, 'state-bucket', {
      bucket: stateBackend.bucket,
      // All environments' state lives here: Terraform must never delete it.
      lifecycle: { preventDestroy: true },
    });
    new S3BucketVersioningA(this, 'state-versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'state-encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPublicAccessBlock(this, 'state-public-access-block', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(this, 'state-tls-only', {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${stateBackend.bucket}`, `arn:aws:s3:::${stateBackend.bucket}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });
    new S3BucketLifecycleConfiguration(this, 'state-lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: STATE_VERSION_RETENTION_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    const roles = new Map<string, FleetStack[]>();
    for (const stack of stacks) roles.set(stack.deployRole.arn, [...(roles.get(stack.deployRole.arn) ?? []), stack]);
    for (const [roleArn, users] of roles) {
      const trusted = [...new Set(users.map((stack) => stack.environment.deployRole.trustedPrincipal))];
      const externalIds = [...new Set(users.map((stack) => stack.deployRole.externalId))];
      if (trusted.length !== 1 || trusted[0] === undefined)
        throw new Error(
          `the deploy role ${roleArn} needs one deployRole.trustedPrincipal (the pipeline's role or user) to bootstrap; found ${trusted.filter(Boolean).join(', ') || 'none'}.`,
        );
      const { name, path } = roleNameAndPath(roleArn);
      const externalId = externalIds[0];
      const role = new IamRole(this, `deploy-role-${name}`, {
        name,
        path,
        maxSessionDuration: 3600,
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: trusted[0] },
              Action: 'sts:AssumeRole',
              ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
            },
          ],
        }),
      });
      new IamRolePolicy(this, `deploy-policy-${name}`, {
        role: role.name,
        name: 'sesform-deploy',
        policy: JSON.stringify(deployRolePolicy(users)),
      });
    }
  }
}
