import * as path from 'node:path';
import { Testing } from 'cdktf';
import { SesBootstrapStack, roleNameAndPath } from '../../src/bootstrap/bootstrap-stack';
import { CONFIGURATION_SET_ACTIONS, deployRolePolicy } from '../../src/bootstrap/deploy-policy';
import { loadEnvironments } from '../../src/environment/loader';
import type { Environment } from '../../src/environment/schema';
import { FleetStack, resolveFleet } from '../../src/fleet/fleet';
import { PROJECT_ROOT, readStack } from '../helpers/synth';

const { environments } = loadEnvironments(path.join(PROJECT_ROOT, 'environments'));
const prod = environments.find(({ environment }) => environment.name === 'prod')!.environment;
/** The fleet's stacks of one environment (every region). */
const stacksOf = (environment: Environment): readonly FleetStack[] =>
  resolveFleet([{ file: 'prod.yaml', environment }]).stacks;

describe('the deploy role policy', () => {
  const policy = deployRolePolicy(stacksOf(prod));

  test('names no wildcard action', () => {
    const actions = policy.Statement.flatMap((statement) => statement.Action);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(policy.Statement[0].Action).toEqual([...CONFIGURATION_SET_ACTIONS]);
  });

  test("grants only this environment's configuration sets, in its regions, and its own state keys", () => {
    expect(policy.Statement.map((statement) => [statement.Sid, statement.Resource])).toEqual([
      [
        'ManageThisEnvironmentsConfigurationSets',
        [
          'arn:aws:ses:eu-west-1:333333333333:configuration-set/transactional',
          'arn:aws:ses:eu-west-1:333333333333:configuration-set/marketing',
          'arn:aws:ses:eu-west-1:333333333333:configuration-set/security-alerts',
          'arn:aws:ses:us-east-1:333333333333:configuration-set/transactional',
          'arn:aws:ses:us-east-1:333333333333:configuration-set/marketing',
          'arn:aws:ses:us-east-1:333333333333:configuration-set/security-alerts',
        ],
      ],
      ['ListConfigurationSetsForDrift', ['*']],
      ['ListOwnStateKeys', ['arn:aws:s3:::acme-ses-terraform-state']],
      [
        'ReadWriteOwnStateAndLock',
        [
          'arn:aws:s3:::acme-ses-terraform-state/ses-event-publishing/prod/eu-west-1/terraform.tfstate',
          'arn:aws:s3:::acme-ses-terraform-state/ses-event-publishing/prod/eu-west-1/terraform.tfstate.tflock',
          'arn:aws:s3:::acme-ses-terraform-state/ses-event-publishing/prod/us-east-1/terraform.tfstate',
          'arn:aws:s3:::acme-ses-terraform-state/ses-event-publishing/prod/us-east-1/terraform.tfstate.tflock',
        ],
      ],
    ]);
    expect(policy.Statement[2].Condition).toEqual({
      StringLike: {
        's3:prefix': [
          'ses-event-publishing/prod/eu-west-1/terraform.tfstate',
          'ses-event-publishing/prod/us-east-1/terraform.tfstate',
        ],
      },
    });
    // The one "*" resource is the list action's, which has no resource type and reads names only.
    expect(policy.Statement[1]).toEqual({
      Sid: 'ListConfigurationSetsForDrift',
      Effect: 'Allow',
      Action: ['ses:ListConfigurationSets'],
      Resource: ['*'],
    });
    expect(
      JSON.stringify(policy.Statement.filter((statement) => statement.Sid !== 'ListConfigurationSetsForDrift')),
    ).not.toMatch(/111111111111|222222222222|"\*"/);
  });
});

describe('the bootstrap stack', () => {
  function synthBootstrap(environment = prod) {
    const app = Testing.app();
    const stack = new SesBootstrapStack(app, { stacks: stacksOf(environment), stateFile: '/tmp/bootstrap.tfstate' });
    return readStack(Testing.synth(stack)).parsed.resource as Record<string, Record<string, Record<string, unknown>>>;
  }

  test('a private, versioned, encrypted, TLS-only state bucket that Terraform never destroys, with old versions expired', () => {
    const resources = synthBootstrap();
    const [bucket] = Object.values(resources.aws_s3_bucket);
    expect(bucket).toMatchObject({ bucket: 'acme-ses-terraform-state', lifecycle: { prevent_destroy: true } });
    expect(Object.values(resources.aws_s3_bucket_versioning)[0]).toMatchObject({
      versioning_configuration: { status: 'Enabled' },
    });
    expect(Object.values(resources.aws_s3_bucket_server_side_encryption_configuration)[0]).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(Object.values(resources.aws_s3_bucket_public_access_block)[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(Object.values(resources.aws_s3_bucket_policy)[0].policy as string);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    expect(Object.values(resources.aws_s3_bucket_lifecycle_configuration)[0]).toMatchObject({
      rule: [{ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 90 }] }],
    });
  });

  test('the deploy role trusts only the pipeline, with the external ID, and carries the derived policy', () => {
    const resources = synthBootstrap();
    const [role] = Object.values(resources.aws_iam_role);
    expect(role).toMatchObject({ name: 'ses-deploy', path: '/' });
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::999900000000:role/ses-pipeline' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'ses-prod-pipeline' } },
      },
    ]);
    const [inline] = Object.values(resources.aws_iam_role_policy);
    expect(JSON.parse(inline.policy as string)).toEqual(deployRolePolicy(stacksOf(prod)));
  });

  test('refuses without a trusted principal, and role paths are kept', () => {
    const untrusted = { ...prod, deployRole: { ...prod.deployRole, trustedPrincipal: undefined } };
    expect(() => synthBootstrap(untrusted)).toThrow(
      "the deploy role arn:aws:iam::333333333333:role/ses-deploy needs one deployRole.trustedPrincipal (the pipeline's role or user) to bootstrap; found none.",
    );
    expect(roleNameAndPath('arn:aws:iam::1:role/teams/mail/ses-deploy')).toEqual({
      name: 'ses-deploy',
      path: '/teams/mail/',
    });
  });
});
