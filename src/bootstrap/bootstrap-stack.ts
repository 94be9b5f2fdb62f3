/**
 * The bootstrap stack of one account, deployed once with admin credentials before the first plan:
 * the S3 state bucket (versioned, encrypted, private, TLS only, old state versions expired), the
 * deploy role that the environment stacks assume, and the read-only plan role where the environments
 * declare one, each trusting only its pipeline principal (see iam-roles.ts).
 */
import {
  AwsProvider,
  IamRole,
  IamRolePolicy,
  S3Bucket,
  S3BucketLifecycleConfiguration,
  S3BucketPolicy,
  S3BucketPublicAccessBlock,
  S3BucketServerSideEncryptionConfigurationA,
  S3BucketVersioningA,
} from '../cdk/aws-provider';
import { LocalBackend, TerraformStack } from '../cdk/cdk-core';
import { Construct } from 'constructs';
import type { FleetStack } from '../fleet/fleet';
import type { LocalTarget } from '../local/local-target';
import { accountRoles } from './iam-roles';

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

    // A bucket shared by several accounts on purpose belongs to one of them, outside this bootstrap.
    if (!stateBackend.shared) SesBootstrapStack.stateBucket(this, stateBackend.bucket);

    for (const role of accountRoles(stacks)) {
      if (role.trustPolicy === undefined)
        throw new Error(
          `${role.kind === 'deploy' ? 'the deploy role' : 'the plan role'} ${role.arn} needs ${role.kind === 'deploy' ? 'deployRole' : 'planRole'}.trustedPrincipal (the pipeline's role or user) to bootstrap; found none.`,
        );
      const { name, path } = roleNameAndPath(role.arn);
      const iamRole = new IamRole(this, `${role.kind}-role-${name}`, {
        name,
        path,
        maxSessionDuration: 3600,
        assumeRolePolicy: JSON.stringify(role.trustPolicy),
      });
      new IamRolePolicy(this, `${role.kind}-policy-${name}`, {
        role: iamRole.name,
        name: `sesform-${role.kind}`,
        policy: JSON.stringify(role.policy),
      });
    }
  }

  /** The state bucket: versioned, encrypted, private, TLS only, old versions expired, never destroyed. */
  private static stateBucket(scope: Construct, name: string): void {
    const bucket = new S3Bucket(scope, 'state-bucket', {
      bucket: name,
      // All environments' state lives here: Terraform must never delete it.
      lifecycle: { preventDestroy: true },
    });
    new S3BucketVersioningA(scope, 'state-versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(scope, 'state-encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPublicAccessBlock(scope, 'state-public-access-block', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketPolicy(scope, 'state-tls-only', {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });
    new S3BucketLifecycleConfiguration(scope, 'state-lifecycle', {
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
  }
}
