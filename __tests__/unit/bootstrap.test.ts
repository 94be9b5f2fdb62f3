import { Testing } from '../../src/cdk/cdk-core';
import { SesBootstrapStack, roleNameAndPath } from '../../src/bootstrap/bootstrap-stack';
import { bootstrapReview } from '../../src/bootstrap/bootstrap-review';
import { iamRoles } from '../../src/bootstrap/iam-roles';
import {
  CONFIGURATION_SET_ACTIONS,
  CONFIGURATION_SET_READ_ACTIONS,
  deployRolePolicy,
  planRolePolicy,
} from '../../src/bootstrap/role-policies';
import { Environment, EnvironmentSchema } from '../../src/environment/schema';
import { FleetStack, resolveFleet } from '../../src/fleet/fleet';
import { environmentFields, readStack } from '../helpers/synth';

const PIPELINE_ACCOUNT = '999900000000';
const pipelineRole = (name: string) => `arn:aws:iam::${PIPELINE_ACCOUNT}:role/${name}`;
const destination = {
  name: 'metrics',
  eventTypes: ['send'],
  cloudWatch: { dimensions: [{ name: 'campaign', source: 'messageTag', defaultValue: 'none' }] },
};

/** An environment of this test's own: two regions, two sets, both roles and the pipeline. */
function environment(name: string, account: string, gate: string, extra: Record<string, unknown> = {}): Environment {
  return EnvironmentSchema.parse(
    environmentFields(name, account, {
      deployRole: {
        arn: `arn:aws:iam::${account}:role/ses-deploy`,
        externalId: `ses-${name}-pipeline`,
        trustedPrincipal: pipelineRole(`ses-pipeline-${gate}`),
      },
      planRole: { arn: `arn:aws:iam::${account}:role/ses-plan`, trustedPrincipal: pipelineRole('ses-pipeline-plan') },
      pipeline: { githubRepository: 'acme/ses', githubEnvironment: gate },
      regions: ['eu-west-1', 'us-east-1'],
      stateBackend: { bucket: 'acme-ses-terraform-state', keyPrefix: 'ses-event-publishing', region: 'eu-west-1' },
      configurationSets: [
        { name: 'transactional', eventDestinations: [destination] },
        { name: 'security-alerts', eventDestinations: [destination] },
      ],
      ...extra,
    }),
  );
}

const prod = environment('prod', '333333333333', 'production');
/** The fleet's stacks of one environment (every region). */
const stacksOf = (...environments: Environment[]): readonly FleetStack[] =>
  resolveFleet(environments.map((each) => ({ file: `${each.name}.yaml`, environment: each }))).stacks;

const STATE = 'arn:aws:s3:::acme-ses-terraform-state/ses-event-publishing/prod';
const SETS = [
  'arn:aws:ses:eu-west-1:333333333333:configuration-set/transactional',
  'arn:aws:ses:eu-west-1:333333333333:configuration-set/security-alerts',
  'arn:aws:ses:us-east-1:333333333333:configuration-set/transactional',
  'arn:aws:ses:us-east-1:333333333333:configuration-set/security-alerts',
];

describe('the deploy role policy', () => {
  const policy = deployRolePolicy(stacksOf(prod));

  test('names no wildcard action', () => {
    const actions = policy.Statement.flatMap((statement) => statement.Action);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(policy.Statement[0].Action).toEqual([...CONFIGURATION_SET_ACTIONS]);
  });

  test("grants only this environment's configuration sets, in its regions, and its own state keys", () => {
    expect(policy.Statement.map((statement) => [statement.Sid, statement.Resource])).toEqual([
      ['ManageThisEnvironmentsConfigurationSets', SETS],
      ['ListConfigurationSetsForDrift', ['*']],
      ['ListOwnStateKeys', ['arn:aws:s3:::acme-ses-terraform-state']],
      [
        'ReadWriteOwnStateAndLock',
        [
          `${STATE}/eu-west-1/terraform.tfstate`,
          `${STATE}/eu-west-1/terraform.tfstate.tflock`,
          `${STATE}/us-east-1/terraform.tfstate`,
          `${STATE}/us-east-1/terraform.tfstate.tflock`,
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

  test('the deploy role and the plan role each trust only their pipeline role, and carry the derived policies', () => {
    const resources = synthBootstrap();
    const roles = Object.values(resources.aws_iam_role);
    expect(roles.map((role) => [role.name, role.path])).toEqual([
      ['ses-deploy', '/'],
      ['ses-plan', '/'],
    ]);
    expect(JSON.parse(roles[0].assume_role_policy as string).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: pipelineRole('ses-pipeline-production') },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'ses-prod-pipeline' } },
      },
    ]);
    expect(JSON.parse(roles[1].assume_role_policy as string).Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: pipelineRole('ses-pipeline-plan') }, Action: 'sts:AssumeRole' },
    ]);
    const policies = Object.values(resources.aws_iam_role_policy);
    expect(policies.map((policy) => policy.name)).toEqual(['sesform-deploy', 'sesform-plan']);
    expect(JSON.parse(policies[0].policy as string)).toEqual(deployRolePolicy(stacksOf(prod)));
    expect(JSON.parse(policies[1].policy as string)).toEqual(planRolePolicy(stacksOf(prod)));
  });

  test('without a plan role, only the deploy role', () => {
    const { planRole: _none, ...withoutPlanRole } = prod;
    expect(Object.values(synthBootstrap(withoutPlanRole as Environment).aws_iam_role)).toHaveLength(1);
  });

  test('refuses without a trusted principal, and role paths are kept', () => {
    const untrusted = { ...prod, deployRole: { ...prod.deployRole, trustedPrincipal: undefined } };
    expect(() => synthBootstrap(untrusted)).toThrow(
      "the deploy role arn:aws:iam::333333333333:role/ses-deploy needs deployRole.trustedPrincipal (the pipeline's role or user) to bootstrap; found none.",
    );
    const untrustedPlan = { ...prod, planRole: { ...prod.planRole!, trustedPrincipal: undefined } };
    expect(() => synthBootstrap(untrustedPlan)).toThrow(
      "the plan role arn:aws:iam::333333333333:role/ses-plan needs planRole.trustedPrincipal (the pipeline's role or user) to bootstrap; found none.",
    );
    expect(roleNameAndPath('arn:aws:iam::1:role/teams/mail/ses-deploy')).toEqual({
      name: 'ses-deploy',
      path: '/teams/mail/',
    });
  });
});

describe('the deploy role policy with verify.from', () => {
  const verifying = environment('prod', '333333333333', 'production', { verify: { from: 'mail.example.org' } });
  const statements = deployRolePolicy(stacksOf(verifying)).Statement.slice(-2);

  test('sends only from that identity through its own sets, and reads CloudWatch metrics', () => {
    expect(statements).toEqual([
      {
        Sid: 'VerifySendsTestMailFromItsIdentityThroughOwnSets',
        Effect: 'Allow',
        Action: ['ses:SendEmail'],
        Resource: [
          'arn:aws:ses:eu-west-1:333333333333:identity/mail.example.org',
          'arn:aws:ses:us-east-1:333333333333:identity/mail.example.org',
          ...SETS,
        ],
      },
      {
        Sid: 'VerifyReadsMetricsListAndDataTakeNoResource',
        Effect: 'Allow',
        Action: ['cloudwatch:ListMetrics', 'cloudwatch:GetMetricData'],
        Resource: ['*'],
      },
    ]);
  });

  test('without verify.from, no send and no CloudWatch permission', () => {
    const actions = deployRolePolicy(stacksOf(prod)).Statement.flatMap((statement) => statement.Action);
    expect(actions.filter((action) => /^(ses:Send|cloudwatch:)/.test(action))).toEqual([]);
  });
});

describe('the plan role policy', () => {
  const policy = planRolePolicy(stacksOf(prod));

  test('reads the sets and the state, and writes nothing (no lock file either: its plans run with -lock=false)', () => {
    expect(policy.Statement.map((statement) => [statement.Sid, statement.Action, statement.Resource])).toEqual([
      ['ReadThisEnvironmentsConfigurationSets', [...CONFIGURATION_SET_READ_ACTIONS], SETS],
      ['ListConfigurationSetsForDrift', ['ses:ListConfigurationSets'], ['*']],
      ['ListOwnStateKeys', ['s3:ListBucket'], ['arn:aws:s3:::acme-ses-terraform-state']],
      [
        'ReadOwnState',
        ['s3:GetObject'],
        [`${STATE}/eu-west-1/terraform.tfstate`, `${STATE}/us-east-1/terraform.tfstate`],
      ],
    ]);
    const actions = policy.Statement.flatMap((statement) => statement.Action);
    expect(actions.filter((action) => /^s3:(Put|Delete)/.test(action))).toEqual([]);
  });

  test('holds no SES action that writes, and none beyond the deploy role’s', () => {
    const sesActions = policy.Statement.flatMap((statement) => statement.Action).filter((action) =>
      action.startsWith('ses:'),
    );
    // An independent reading of the action names: SES writes are Create, Delete, Put, Update, Tag, Untag, Send.
    expect(sesActions.filter((action) => /^ses:(Create|Delete|Put|Update|Tag|Untag|Send)/.test(action))).toEqual([]);
    const deployActions = new Set(deployRolePolicy(stacksOf(prod)).Statement.flatMap((statement) => statement.Action));
    expect(sesActions.filter((action) => !deployActions.has(action))).toEqual([]);
  });
});

describe('iam-policy: the roles from the GitHub job to the account', () => {
  const dev = environment('dev', '111111111111', 'dev');
  const roles = iamRoles(stacksOf(prod), stacksOf(dev, prod));
  const role = (kind: string) => roles.filter((each) => each.kind === kind);

  test('the account roles of the selected environment only', () => {
    expect(roles.map((each) => [each.kind, each.arn, each.environments])).toEqual([
      ['deploy', 'arn:aws:iam::333333333333:role/ses-deploy', ['prod']],
      ['plan', 'arn:aws:iam::333333333333:role/ses-plan', ['prod']],
      ['rollout-pipeline', pipelineRole('ses-pipeline-production'), ['prod']],
      ['plan-pipeline', pipelineRole('ses-pipeline-plan'), ['dev', 'prod']],
    ]);
  });

  test("the rollout pipeline role trusts only jobs of its GitHub environment and may assume only that environment's deploy role", () => {
    const [rollout] = role('rollout-pipeline');
    expect(rollout.trustPolicy!.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${PIPELINE_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:acme/ses:environment:production',
            // The environment alone is issued to any workflow naming it: only the rollout, on main.
            'token.actions.githubusercontent.com:job_workflow_ref':
              'acme/ses/.github/workflows/sesform-rollout.yml@refs/heads/main',
          },
        },
      },
    ]);
    expect(rollout.policy.Statement).toEqual([
      {
        Sid: 'AssumeDeployRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: ['arn:aws:iam::333333333333:role/ses-deploy'],
      },
    ]);
  });

  test('the plan pipeline role trusts pull requests and the default branch, and may assume only plan roles', () => {
    const [plan] = role('plan-pipeline');
    expect(plan.githubSubjects).toEqual(['repo:acme/ses:pull_request', 'repo:acme/ses:ref:refs/heads/main']);
    expect(plan.githubWorkflows).toBeUndefined();
    expect(plan.policy.Statement[0].Resource).toEqual([
      'arn:aws:iam::111111111111:role/ses-plan',
      'arn:aws:iam::333333333333:role/ses-plan',
    ]);
  });

  test('no pipeline roles without a pipeline block', () => {
    const { pipeline: _none, ...unpiped } = prod;
    expect(iamRoles(stacksOf(unpiped as Environment)).map((each) => each.kind)).toEqual(['deploy', 'plan']);
  });
});

describe('state buckets across accounts', () => {
  test('a bucket shared on purpose (stateBackend.shared) is left to its owner: bootstrap creates the roles only', () => {
    const shared = environment('prod', '333333333333', 'production', {
      stateBackend: { bucket: 'acme-shared-state', keyPrefix: 'ses', region: 'eu-west-1', shared: true },
    });
    const app = Testing.app();
    const stack = new SesBootstrapStack(app, { stacks: stacksOf(shared), stateFile: '/tmp/bootstrap.tfstate' });
    const resources = readStack(Testing.synth(stack)).parsed.resource!;
    expect(Object.keys(resources).sort()).toEqual(['aws_iam_role', 'aws_iam_role_policy']);
  });
});

describe('the bootstrap review', () => {
  test('names the bucket and its protection, and each role with who may assume it and what it may do', () => {
    const lines = bootstrapReview(stacksOf(prod));
    expect(lines.slice(0, 4)).toEqual([
      'account 333333333333',
      '  state bucket acme-ses-terraform-state in eu-west-1: created, never destroyed by Terraform (prevent_destroy)',
      '    encryption: AES-256 by default; versioning on; replaced state versions expire after 90 days',
      '    access: public access blocked (all four settings); a bucket policy denies every request not made over TLS',
    ]);
    expect(lines).toContain('  deploy role arn:aws:iam::333333333333:role/ses-deploy (environments prod)');
    expect(lines).toContain(
      `    trusted: only ${pipelineRole('ses-pipeline-production')} with the external ID may assume it`,
    );
    expect(lines).toContain(
      `    may ReadWriteOwnStateAndLock: s3:GetObject, s3:PutObject, s3:DeleteObject on ${STATE}/eu-west-1/terraform.tfstate, ${STATE}/eu-west-1/terraform.tfstate.tflock, ${STATE}/us-east-1/terraform.tfstate, ${STATE}/us-east-1/terraform.tfstate.tflock`,
    );
    expect(lines).toContain('  plan role arn:aws:iam::333333333333:role/ses-plan (environments prod)');
    expect(lines).toContain(`    trusted: only ${pipelineRole('ses-pipeline-plan')} may assume it`);
  });

  test('a shared bucket is named as not created here', () => {
    const shared = environment('prod', '333333333333', 'production', {
      stateBackend: { bucket: 'acme-shared-state', keyPrefix: 'ses', region: 'eu-west-1', shared: true },
    });
    expect(bootstrapReview(stacksOf(shared))[1]).toMatch(
      /^ {2}state bucket acme-shared-state: shared by several accounts \(stateBackend\.shared\), so not created here/,
    );
  });
});
