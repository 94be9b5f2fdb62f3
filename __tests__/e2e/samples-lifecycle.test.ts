/**
 * The sample environments (three accounts, prod in two regions) through their whole life on the
 * embedded emulator, with the real terraform binary and AWS provider: apply from empty, read back,
 * a no-op plan, drift made through the SDK, the state lock, and destroy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CreateConfigurationSetEventDestinationCommand,
  DeleteConfigurationSetEventDestinationCommand,
  EventDestinationDefinition,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  PutConfigurationSetSendingOptionsCommand,
  SESv2Client,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-sesv2';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expandDimensionSets } from '../../modules/dimension-sets';
import { parseDimensionSource, parseDurationSeconds, normaliseEventTypes } from '../../modules/ses-rules';
import { main } from '../../src/cli';
import { LoadedEnvironment } from '../../src/fleet/loader';
import { stateKey } from '../../src/fleet/fleet';
import { PROJECT_ROOT } from '../helpers/synth';
import { LocalStacks } from '../helpers/local-stacks';

jest.setTimeout(300_000);

const DEV = { stack: 'dev-eu-west-1', account: '111111111111', region: 'eu-west-1' };
let local: LocalStacks;
/** What each stack's first apply said (Terraform's closing line). */
let firstApply: string[];

// Every test starts from the samples applied from empty, so any one of them runs alone; each test that
// changes the accounts restores the declared state before it ends (destroy, last, ends the journey).
beforeAll(async () => {
  local = await LocalStacks.start(path.join(PROJECT_ROOT, 'environments'));
  await local.each((workspace) => workspace.init());
  for (const account of ['111111111111', '222222222222', '333333333333'])
    expect(await local.setNames(account, 'eu-west-1')).toEqual([]);
  firstApply = await local.each((workspace) => workspace.apply());
}, 300_000);

afterAll(async () => {
  await local?.stop();
});

/** Every declared set, destination and dimension, read back field by field from its own account and region. */
async function expectDeclaredStateIn(environments: readonly LoadedEnvironment[]) {
  for (const { environment } of environments)
    for (const region of environment.regions) {
      const ses = await local.ses(environment.accountId, region);
      for (const set of environment.configurationSets) {
        const read = await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: set.name }));
        const where = `${environment.name}/${region}/${set.name}`;
        expect({ where, sending: read.SendingOptions?.SendingEnabled }).toEqual({
          where,
          sending: set.sendingEnabled ?? true,
        });
        expect(read.ReputationOptions?.ReputationMetricsEnabled).toBe(set.reputationMetrics ?? true);
        const delivery = set.deliveryOptions;
        expect(read.DeliveryOptions?.TlsPolicy).toBe(delivery?.tlsPolicy);
        expect(read.DeliveryOptions?.SendingPoolName).toBe(delivery?.sendingPool);
        expect(read.DeliveryOptions?.MaxDeliverySeconds).toBe(
          delivery?.maxDeliveryDuration === undefined ? undefined : parseDurationSeconds(delivery.maxDeliveryDuration),
        );
        expect(read.TrackingOptions?.CustomRedirectDomain).toBe(set.trackingOptions?.customRedirectDomain);
        expect(read.TrackingOptions?.HttpsPolicy).toBe(set.trackingOptions?.httpsPolicy);
        if (set.suppressedReasons !== undefined)
          expect(read.SuppressionOptions?.SuppressedReasons ?? []).toEqual(set.suppressedReasons);
        else expect(read.SuppressionOptions).toBeUndefined();

        const { EventDestinations = [] } = await ses.send(
          new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set.name }),
        );
        // A destination with dimension sets is one SES destination per set.
        const expected = set.eventDestinations.flatMap((declared) =>
          declared.cloudWatch?.dimensionSets
            ? expandDimensionSets(declared.name, declared.cloudWatch.dimensions, declared.cloudWatch.dimensionSets).map(
                (expanded) => ({ ...declared, name: expanded.name, cloudWatch: { dimensions: expanded.dimensions } }),
              )
            : [declared],
        );
        expect(EventDestinations.map((destination) => destination.Name).sort()).toEqual(
          expected.map((destination) => destination.name).sort(),
        );
        for (const declared of expected) {
          const actual = EventDestinations.find((destination) => destination.Name === declared.name)!;
          expect({
            where: `${where}/${declared.name}`,
            enabled: actual.Enabled,
            eventTypes: [...(actual.MatchingEventTypes ?? [])].sort(),
            dimensions: actual.CloudWatchDestination?.DimensionConfigurations,
            topic: actual.SnsDestination?.TopicArn,
          }).toEqual({
            where: `${where}/${declared.name}`,
            enabled: declared.enabled ?? true,
            eventTypes: normaliseEventTypes(declared.eventTypes).sort(),
            dimensions: declared.cloudWatch?.dimensions.map((dimension) => ({
              DimensionName: dimension.name,
              DimensionValueSource: parseDimensionSource(dimension.source),
              DefaultDimensionValue: dimension.defaultValue,
            })),
            // A topic sesform creates is named in the stack's own account and region.
            topic:
              declared.sns?.topicArn ??
              (declared.sns?.topicName && `arn:aws:sns:${region}:${environment.accountId}:${declared.sns.topicName}`),
          });
        }
      }
    }
}

/** Each account and region holds exactly the sets its environments declare, and nothing of the others'. */
async function expectAccountsHoldOnlyTheirOwnSets(environments: readonly LoadedEnvironment[]) {
  const accounts = [...new Set(environments.map(({ environment }) => environment.accountId))];
  const regions = [...new Set(environments.flatMap(({ environment }) => environment.regions))];
  for (const account of accounts)
    for (const region of regions) {
      const declared = environments
        .filter(({ environment }) => environment.accountId === account && environment.regions.includes(region))
        .flatMap(({ environment }) => environment.configurationSets.map((set) => set.name))
        .sort();
      expect({ account, region, sets: await local.setNames(account, region) }).toEqual({
        account,
        region,
        sets: declared,
      });
    }
}

async function devSes(): Promise<SESv2Client> {
  return local.ses(DEV.account, DEV.region);
}

async function devDestination(setName: string, destinationName: string) {
  const { EventDestinations = [] } = await (
    await devSes()
  ).send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: setName }));
  return EventDestinations.find((destination) => destination.Name === destinationName)!;
}

async function updateDevDestination(
  setName: string,
  destinationName: string,
  change: (definition: EventDestinationDefinition) => void,
) {
  const { Name: _name, ...definition } = await devDestination(setName, destinationName);
  change(definition);
  await (
    await devSes()
  ).send(
    new UpdateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: setName,
      EventDestinationName: destinationName,
      EventDestination: definition,
    }),
  );
}

describe('the sample environments on the emulator', () => {
  test('1. apply from empty creates every declared resource in its own account and region, and nowhere else', async () => {
    // The sets and destinations (transactional's suppression feed with the SNS topic sesform creates for
    // it), each stack's record of their metric estimates, and its monitoring: the alarm topic, its
    // subscriptions, the alarms and the dashboard. dev: 10 + 1 + 1 email + 5 alarms + 1;
    // staging: 10 + 1 + 1 + 3 (marketing publishes no rates) + 1; prod: 12 + 1 + 2 (email, https) + 8 + 1.
    expect(firstApply.map((result) => /Resources: (\d+) added/.exec(result)?.[1])).toEqual(['18', '16', '24', '24']);
    await expectDeclaredStateIn(local.environments);
    await expectAccountsHoldOnlyTheirOwnSets(local.environments);
  });

  test('1b. sesform drift right after the first apply: every stack in sync, exit 0 (a scheduled drift pipeline is green from day one)', async () => {
    // Through the engine (pooled providers, stacks in parallel) as a pipeline runs it, on the same state.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-lifecycle-drift-'));
    const [out, err] = [new PassThrough(), new PassThrough()];
    let [stdout, stderr] = ['', ''];
    out.on('data', (chunk) => (stdout += chunk));
    err.on('data', (chunk) => (stderr += chunk));
    try {
      const code = await main(
        [
          'drift',
          '--all',
          '--local',
          '--endpoint',
          local.emulator.endpoint,
          '--environments',
          path.join(PROJECT_ROOT, 'environments'),
          '--output',
          path.join(scratch, 'cdktf.out'),
        ],
        out,
        err,
      );
      expect({
        code,
        drifted: stdout.split('\n').filter((line) => /^\s*!/.test(line)),
        stderr: stderr.slice(-400),
      }).toEqual({
        code: 0,
        drifted: [],
        stderr: expect.any(String),
      });
      expect(stdout).toContain('4 stack(s): 4 in-sync');
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('2. a second plan finds nothing to change (exit code 0 with -detailed-exitcode)', async () => {
    const plans = await local.each((workspace) => workspace.plan());
    expect(plans.map((plan) => plan.changes)).toEqual([false, false, false, false]);
  });

  describe('3. changes made outside Terraform', () => {
    const dev = () => local.workspace(DEV.stack);

    test.each([
      [
        'a destination disabled',
        () => updateDevDestination('transactional', 'delivery-metrics', (d) => (d.Enabled = false)),
        'aws_sesv2_configuration_set_event_destination.transactional_delivery-metrics_',
        'will be updated in-place',
      ],
      [
        'an event type removed',
        () =>
          updateDevDestination('marketing', 'engagement', (d) => {
            d.MatchingEventTypes = d.MatchingEventTypes!.filter((type) => type !== 'SUBSCRIPTION');
          }),
        'aws_sesv2_configuration_set_event_destination.marketing_engagement_',
        'will be updated in-place',
      ],
      [
        "a dimension's default changed",
        () =>
          updateDevDestination('marketing', 'campaign-headers', (d) => {
            d.CloudWatchDestination!.DimensionConfigurations![0].DefaultDimensionValue = 'changed-by-hand';
          }),
        'aws_sesv2_configuration_set_event_destination.marketing_campaign-headers_',
        'will be updated in-place',
      ],
      [
        'a dimension removed',
        () =>
          updateDevDestination('transactional', 'delivery-metrics', (d) => {
            const cloudWatch = d.CloudWatchDestination!;
            cloudWatch.DimensionConfigurations = cloudWatch.DimensionConfigurations!.slice(0, 1);
          }),
        'aws_sesv2_configuration_set_event_destination.transactional_delivery-metrics_',
        'will be updated in-place',
      ],
      [
        'sending disabled on a set',
        async () =>
          (await devSes()).send(
            new PutConfigurationSetSendingOptionsCommand({
              ConfigurationSetName: 'transactional',
              SendingEnabled: false,
            }),
          ),
        'aws_sesv2_configuration_set.transactional_',
        'will be updated in-place',
      ],
      [
        'a destination deleted',
        async () =>
          (await devSes()).send(
            new DeleteConfigurationSetEventDestinationCommand({
              ConfigurationSetName: 'marketing',
              EventDestinationName: 'engagement',
            }),
          ),
        'aws_sesv2_configuration_set_event_destination.marketing_engagement_',
        'will be created',
      ],
    ])(
      '%s: the plan names the resource, and an apply restores the declared state',
      async (_what, drift, address, action) => {
        await drift();
        const plan = await dev().plan();
        expect(plan.changes).toBe(true);
        expect(plan.output).toMatch(new RegExp(`# ${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\w+ ${action}`));
        await dev().apply();
        expect((await dev().plan()).changes).toBe(false);
        await expectDeclaredStateIn(local.environments.filter(({ environment }) => environment.name === 'dev'));
      },
    );

    test('an extra destination added by hand is invisible to Terraform, which only tracks what it manages', async () => {
      await (
        await devSes()
      ).send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: 'transactional',
          EventDestinationName: 'added-by-hand',
          EventDestination: {
            Enabled: true,
            MatchingEventTypes: ['SEND'],
            CloudWatchDestination: {
              DimensionConfigurations: [
                { DimensionName: 'x', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' },
              ],
            },
          },
        }),
      );
      const plan = await dev().plan();
      expect(plan.changes).toBe(false);
      expect(plan.output).not.toContain('added-by-hand');
      expect((await devDestination('transactional', 'added-by-hand')).Enabled).toBe(true);
    });
  });

  test('6. the S3 lock file blocks a second apply on the same stack while the first runs', async () => {
    const dev = local.workspace(DEV.stack);
    await updateDevDestination('transactional', 'delivery-metrics', (d) => (d.Enabled = false));
    const s3 = new S3Client({
      endpoint: local.target.endpoint,
      region: DEV.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const lockKey = `${stateKey('ses-event-publishing', 'dev', DEV.region)}.tflock`;
    const lockHeld = async () => {
      try {
        await s3.send(new GetObjectCommand({ Bucket: `acme-ses-state-${DEV.account}-eu-west-1`, Key: lockKey }));
        return true;
      } catch {
        return false;
      }
    };
    const first = dev.run(['apply', '-input=false', '-no-color', '-auto-approve']);
    const deadline = Date.now() + 60_000;
    while (!(await lockHeld()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await lockHeld()).toBe(true);
    const second = await dev.run(['apply', '-input=false', '-no-color', '-auto-approve', '-lock-timeout=0s']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('Error acquiring the state lock');
    expect((await first).code).toBe(0);
    expect(await lockHeld()).toBe(false);
    expect((await devDestination('transactional', 'delivery-metrics')).Enabled).toBe(true);
    s3.destroy();
  });

  test('5. destroy removes everything; a protected environment refuses until protection is lifted', async () => {
    const prodStacks = ['prod-eu-west-1', 'prod-us-east-1'];
    for (const name of ['dev-eu-west-1', 'staging-eu-west-1']) await local.workspace(name).destroy();
    for (const name of prodStacks) {
      const refused = await local.workspace(name).run(['destroy', '-input=false', '-no-color', '-auto-approve']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Instance cannot be destroyed');
    }
    expect(await local.exists('333333333333', 'eu-west-1', 'transactional')).toBe(true);

    local.synth(
      local.environments.map((loaded) => ({ ...loaded, environment: { ...loaded.environment, protect: false } })),
    );
    for (const name of prodStacks) await local.workspace(name).destroy();
    for (const account of ['111111111111', '222222222222', '333333333333'])
      for (const region of ['eu-west-1', 'us-east-1']) expect(await local.setNames(account, region)).toEqual([]);
  });
});
