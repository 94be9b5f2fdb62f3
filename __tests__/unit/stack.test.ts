import * as path from 'node:path';
import { App, Testing } from '../../src/cdk/cdk-core';
import { addEnvironmentStacks } from '../../src/app';
import { loadEnvironments } from '../../src/fleet/loader';
import { localProcessEnvironment, localTarget } from '../../src/local/local-target';
import { SesEnvironmentStack } from '../../src/stack';
import { BINDINGS_AWS_PROVIDER_VERSION } from '../../src/cdk/packages';
import { PROJECT_ROOT, SynthesizedStack, readStack } from '../helpers/synth';

function synthSamples(): Map<string, SynthesizedStack> {
  const { fleet, problems } = loadEnvironments(path.join(PROJECT_ROOT, 'environments'));
  expect(problems).toEqual([]);
  const app = Testing.app();
  const stacks = addEnvironmentStacks(app as App, fleet);
  return new Map(stacks.map((stack: SesEnvironmentStack) => [stack.node.id, readStack(Testing.synth(stack))]));
}

describe('the sample environments as stacks', () => {
  const stacks = synthSamples();

  test('one stack per environment and region, named <env>-<region>', () => {
    const { environments } = loadEnvironments(path.join(PROJECT_ROOT, 'environments'));
    const expected = environments.flatMap(({ environment }) =>
      environment.regions.map((region) => `${environment.name}-${region}`),
    );
    expect([...stacks.keys()].sort()).toEqual(expected.sort());
    expect([...stacks.keys()]).toEqual(
      expect.arrayContaining(['dev-eu-west-1', 'staging-eu-west-1', 'prod-eu-west-1', 'prod-us-east-1']),
    );
  });

  test.each([
    ['dev-eu-west-1', '111111111111', 'eu-west-1', undefined, 'sesform-dev'],
    ['staging-eu-west-1', '222222222222', 'eu-west-1', 'ses-staging-pipeline', 'sesform-staging'],
    ['prod-eu-west-1', '333333333333', 'eu-west-1', 'ses-prod-pipeline', 'sesform-prod-pipeline'],
    ['prod-us-east-1', '333333333333', 'us-east-1', 'ses-prod-pipeline', 'sesform-prod-pipeline'],
  ])(
    '%s assumes the deploy role of account %s and refuses any other account',
    (stackName, account, region, externalId, sessionName) => {
      const [provider] = stacks.get(stackName)!.parsed.provider!.aws;
      expect(provider).toMatchObject({
        region,
        allowed_account_ids: [account],
        assume_role: [{ role_arn: `arn:aws:iam::${account}:role/ses-deploy`, session_name: sessionName }],
      });
      expect((provider.assume_role as { external_id?: string }[])[0].external_id).toBe(externalId);
    },
  );

  test('each stack keeps its state under its own key, with the S3 lock file and encryption', () => {
    const backends = [...stacks.entries()].map(([name, stack]) => [name, stack.parsed.terraform.backend!.s3]);
    // <prefix>/<environment>/<region>/terraform.tfstate, written out for the stacks the samples ship.
    expect(backends).toEqual(
      expect.arrayContaining([
        ['dev-eu-west-1', expect.objectContaining({ key: 'ses-event-publishing/dev/eu-west-1/terraform.tfstate' })],
        [
          'staging-eu-west-1',
          expect.objectContaining({ key: 'ses-event-publishing/staging/eu-west-1/terraform.tfstate' }),
        ],
        ['prod-eu-west-1', expect.objectContaining({ key: 'ses-event-publishing/prod/eu-west-1/terraform.tfstate' })],
        ['prod-us-east-1', expect.objectContaining({ key: 'ses-event-publishing/prod/us-east-1/terraform.tfstate' })],
      ]),
    );
    const keys = backends.map(([, backend]) => (backend as { key: string }).key);
    expect(new Set(keys).size).toBe(keys.length);
    // One bucket per account: _base.yaml's "acme-ses-state-{accountId}-{region}".
    for (const [name, backend] of backends)
      expect(backend).toMatchObject({
        bucket: `acme-ses-state-${JSON.parse(stacks.get(name as string)!.json).provider.aws[0].allowed_account_ids[0]}-eu-west-1`,
        region: 'eu-west-1',
        use_lockfile: true,
        encrypt: true,
      });
    // State through the deploy role, like the provider: the pipeline identity needs no bucket access.
    expect(backends.find(([name]) => name === 'prod-us-east-1')![1]).toMatchObject({
      assume_role: {
        role_arn: 'arn:aws:iam::333333333333:role/ses-deploy',
        external_id: 'ses-prod-pipeline',
        session_name: 'sesform-prod-pipeline',
      },
    });
    expect(backends.find(([name]) => name === 'dev-eu-west-1')![1]).toMatchObject({
      assume_role: { role_arn: 'arn:aws:iam::111111111111:role/ses-deploy', session_name: 'sesform-dev' },
    });
  });

  test('default tags: the environment file, merged with its base, plus the project tags', () => {
    const [provider] = stacks.get('staging-eu-west-1')!.parsed.provider!.aws;
    expect(provider.default_tags).toEqual([
      {
        tags: {
          team: 'messaging',
          'cost-center': 'cc-4711',
          environment: 'staging',
          'managed-by': 'sesform',
          'sesform-environment': 'staging',
        },
      },
    ]);
  });

  test('the provider version is the bindings own pin unless the environment sets a constraint', () => {
    expect(stacks.get('dev-eu-west-1')!.parsed.terraform.required_providers.aws.version).toBe(
      BINDINGS_AWS_PROVIDER_VERSION,
    );
    expect(stacks.get('prod-us-east-1')!.parsed.terraform.required_providers.aws.version).toBe('>= 6.25.0, < 7.0.0');
  });

  test('protect on the environment protects every set; elsewhere sets are not protected', () => {
    const prod = stacks.get('prod-eu-west-1')!;
    for (const name of ['transactional', 'marketing', 'security-alerts'])
      expect(prod.configurationSet(name).lifecycle).toEqual({ prevent_destroy: true });
    expect(stacks.get('dev-eu-west-1')!.configurationSet('transactional').lifecycle).toBeUndefined();
  });

  test('environment overrides reach the resources: dev stops marketing sends, staging pauses header metrics', () => {
    expect(stacks.get('dev-eu-west-1')!.configurationSet('marketing').sending_options).toEqual({
      sending_enabled: false,
    });
    const staging = stacks.get('staging-eu-west-1')!;
    expect(staging.destination('marketing', 'campaign-headers').event_destination.enabled).toBe(false);
    expect(staging.configurationSet('marketing').reputation_options).toEqual({ reputation_metrics_enabled: false });
    expect(staging.destination('marketing', 'engagement').event_destination.enabled).toBe(true);
  });

  test('prod adds its own set and overrides the delivery options of the shared one', () => {
    const prod = stacks.get('prod-us-east-1')!;
    expect(prod.configurationSet('transactional').delivery_options).toEqual({
      tls_policy: 'REQUIRE',
      sending_pool_name: 'transactional-dedicated',
      max_delivery_seconds: 50_400,
    });
    expect(prod.configurationSet('security-alerts').suppression_options).toEqual({ suppressed_reasons: [] });
    expect(prod.count('aws_sesv2_configuration_set')).toBe(3);
    expect(prod.count('aws_sesv2_configuration_set_event_destination')).toBe(7);
    // The shared set's suppression feed: a topic sesform creates in each region, named in the destination.
    expect(prod.destination('transactional', 'suppression-feed').event_destination).toEqual({
      enabled: true,
      matching_event_types: ['BOUNCE', 'COMPLAINT'],
      sns_destination: { topic_arn: 'arn:aws:sns:us-east-1:333333333333:ses-transactional-bounces' },
    });
    expect(prod.count('aws_sns_topic')).toBe(2);
  });

  // The provider requirement is the one part the CDK's own version decides (cdktn writes the source in
  // full and pins its own bindings' version: scripts/compare-synth.js); the tests above and below check it.
  test('the dev stack, as synthesized', () => {
    const synthesized = JSON.parse(stacks.get('dev-eu-west-1')!.json) as { terraform: Record<string, unknown> };
    synthesized.terraform.required_providers = '(the bindings pin: checked apart)';
    expect(JSON.stringify(synthesized, null, 2)).toMatchSnapshot();
  });

  test('the provider is hashicorp/aws, in the short form (cdktf) or the full one (cdktn)', () => {
    expect(['aws', 'hashicorp/aws']).toContain(
      stacks.get('dev-eu-west-1')!.parsed.terraform.required_providers.aws.source,
    );
  });
});

describe('local mode', () => {
  const { fleet } = loadEnvironments(path.join(PROJECT_ROOT, 'environments'));
  const endpoint = 'http://127.0.0.1:45678';

  function synthLocal(): Map<string, SynthesizedStack> {
    const app = Testing.app();
    const stacks = addEnvironmentStacks(app as App, fleet, localTarget(endpoint, '5.100.0'));
    return new Map(stacks.map((stack: SesEnvironmentStack) => [stack.node.id, readStack(Testing.synth(stack))]));
  }

  test('retargets provider and state at the emulator, and keeps accounts, roles and regions as declared', () => {
    const prod = synthLocal().get('prod-us-east-1')!;
    const [provider] = prod.parsed.provider!.aws;
    expect(provider).toMatchObject({
      region: 'us-east-1',
      allowed_account_ids: ['333333333333'],
      assume_role: [{ role_arn: 'arn:aws:iam::333333333333:role/ses-deploy', external_id: 'ses-prod-pipeline' }],
      endpoints: [{ sesv2: endpoint, sts: endpoint, s3: endpoint, iam: endpoint }],
      max_retries: 2,
    });
    expect(prod.parsed.terraform.backend!.s3).toMatchObject({
      bucket: 'acme-ses-state-333333333333-eu-west-1',
      key: 'ses-event-publishing/prod/us-east-1/terraform.tfstate',
      use_lockfile: true,
      use_path_style: true,
      endpoints: { s3: endpoint, sts: endpoint, iam: endpoint },
    });
    expect(prod.parsed.terraform.required_providers.aws.version).toBe('5.100.0');
    expect(prod.configurationSet('security-alerts').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('writes no credentials into the synthesized stacks', () => {
    for (const [, stack] of synthLocal()) expect(stack.json).not.toMatch(/access_key|secret_key|"token"/);
  });

  test('refuses any endpoint that is not on the loopback address, written exactly', () => {
    for (const address of [
      'http://10.0.0.5:4566',
      'ftp://127.0.0.1:4566',
      'https://email.eu-west-1.amazonaws.com',
      'nonsense',
      // Other spellings of loopback that Node normalises but Terraform would resolve through DNS.
      'http://127.1:4566',
      'http://2130706433:4566',
      'http://0x7f000001:4566',
      'http://0177.0.0.1:4566',
      'http://127.0.0.1.:4566',
      'http://１２７.0.0.1:4566',
      'http://evil.com@127.0.0.1:4566',
      'http://127.0.0.1:4566/',
      'http://127.0.0.1:4566/path',
      'http://127.0.0.1',
      'http://127.0.0.1:0',
      'http://127.0.0.1:99999',
      'http://LOCALHOST:4566',
    ])
      expect(() => localTarget(address, '5.100.0')).toThrow(
        `local mode only talks to the emulator on the loopback address, written exactly as http://127.0.0.1:PORT, http://localhost:PORT or http://[::1]:PORT (https:// for an emulator serving TLS); refusing ${JSON.stringify(address)}.`,
      );
    for (const address of ['http://127.0.0.1:4566', 'http://localhost:4566', 'http://[::1]:4566'])
      expect(localTarget(address, '5.100.0')).toEqual({ endpoint: address, providerVersion: '5.100.0', tls: false });
    expect(localTarget('https://127.0.0.1:4566', '5.100.0').tls).toBe(true);
  });

  test("local mode's processes get none of the user's AWS identity", () => {
    const scrubbed = localProcessEnvironment({
      PATH: '/bin',
      AWS_ACCESS_KEY_ID: 'AKIAREAL',
      AWS_SECRET_ACCESS_KEY: 'real-secret',
      AWS_SESSION_TOKEN: 'real-session',
      AWS_PROFILE: 'prod-admin',
      AWS_ROLE_ARN: 'arn:aws:iam::1:role/x',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token',
      AWS_CONFIG_FILE: '/home/me/.aws/config',
    });
    expect(scrubbed).toEqual({
      PATH: '/bin',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  test('the bindings pin the provider version that sesform documents as their own', () => {
    expect(synthSamples().get('dev-eu-west-1')!.parsed.terraform.required_providers.aws.version).toBe(
      BINDINGS_AWS_PROVIDER_VERSION,
    );
  });
});
