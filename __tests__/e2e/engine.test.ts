/**
 * The plan/apply engine end to end, with real Terraform against the emulator: what only real
 * Terraform shows. A plan read in SES terms from Terraform's own JSON, applied wave by wave, and the
 * metric record in the state read back by the next plan; drift of every kind made through the SES API.
 * The engine's decisions (refusals, waves stopped, checks, retries) are unit-tested on a scripted
 * runner (unit/engine-decisions.test.ts). Each test works on environments of its own (selected with
 * --env), so any test runs alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  DeleteConfigurationSetEventDestinationCommand,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-sesv2';
import { EngineFixture, stackIn } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ALPHA = '710000000001';
const BETA = '710000000002';
const GAMMA = '710000000003';

const bounces = (eventTypes: string) => `      - name: bounces
        eventTypes: [${eventTypes}]
        cloudWatch:
          dimensions:
            - { name: ses:configuration-set, source: messageTag, defaultValue: orders }
`;

const alpha = (bounceEvents = 'BOUNCE, COMPLAINT', name = 'alpha', account = ALPHA) =>
  environmentYaml(
    name,
    account,
    `wave: 0
configurationSets:
  - name: orders
    eventDestinations:
${bounces(bounceEvents)}      - name: sends
        eventTypes: [SEND]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: none, expectedValues: 4 }
`,
  );

const beta = (withLegacy = true) =>
  environmentYaml(
    'beta',
    BETA,
    `wave: 1
protect: true
configurationSets:
  - name: receipts
    eventDestinations:
      - name: deliveries
        eventTypes: [DELIVERY]
        cloudWatch:
          dimensions:
            - { name: ses:configuration-set, source: messageTag, defaultValue: receipts }
${withLegacy ? '  - name: legacy\n' : ''}`,
  );

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start({
    'alpha.yaml': alpha(),
    'beta.yaml': beta(),
    'gamma.yaml': alpha('BOUNCE, COMPLAINT', 'gamma', GAMMA),
  });
});

afterAll(() => fixture?.stop());

const ALPHA_AND_BETA = ['--env', 'alpha', '--env', 'beta'];

test('plan in SES terms from Terraform, apply wave by wave, then the next plan reads the metric record back', async () => {
  const markdown = path.join(fixture.root, 'plan.md');
  const report = await fixture.report(['plan', ...ALPHA_AND_BETA, '--markdown', markdown]);
  expect(report.exitCode).toBe(2);
  expect(report.run.code).toBe(2);
  expect(report.stacks.map((stack) => [stack.stack, stack.outcome])).toEqual([
    ['alpha-eu-west-1', 'planned'],
    ['beta-eu-west-1', 'planned'],
  ]);
  const changes = stackIn(report, 'alpha-eu-west-1').changes!;
  expect(changes.counts).toEqual({ add: 3, change: 0, replace: 0, destroy: 0, import: 0 });
  expect(changes.configurationSets).toMatchObject([{ name: 'orders', action: 'create', changes: [] }]);
  expect(changes.recordUpdate).toBe('create');
  const sends = changes.destinations.find((destination) => destination.name === 'sends')!;
  // 1 event type x (4 campaigns + the default value)
  expect(sends).toMatchObject({
    action: 'create',
    eventTypesAdded: ['SEND'],
    dimensions: [{ name: 'campaign', change: 'added', after: { source: 'MESSAGE_TAG' } }],
    metricsBefore: 0,
    metricsAfter: 5,
  });
  // bounces: 2 event types x ses:configuration-set, whose one value is the set's name.
  expect(changes.metrics).toEqual({ before: 0, after: 5 + 2 * 1 });
  expect(fs.readFileSync(markdown, 'utf8')).toContain(
    '| alpha-eu-west-1 | 710000000001 | 0 | 📝 planned | 3 | 0 | 0 | 0 | 0 -> 7 (+7) |',
  );
  expect(await fixture.setNames(ALPHA)).toEqual([]);

  const { code, stdout, stderr } = await fixture.run(['apply', ...ALPHA_AND_BETA]);
  expect(code).toBe(0);
  expect(stdout).toContain('2 applied');
  expect(stderr.indexOf('apply alpha-eu-west-1: applied')).toBeLessThan(stderr.indexOf('wave 1: applying'));
  expect(await fixture.setNames(ALPHA)).toEqual(['orders']);
  expect(await fixture.setNames(BETA)).toEqual(['legacy', 'receipts']);
  expect(fs.existsSync(path.join(fixture.plans, 'alpha-eu-west-1.tfplan'))).toBe(false);
  const again = await fixture.report(['plan', ...ALPHA_AND_BETA]);
  expect(again.exitCode).toBe(0);
  expect(again.stacks.map((stack) => stack.outcome)).toEqual(['no-changes', 'no-changes']);

  // The metrics before a change are the ones recorded in the state by the apply.
  fixture.write('alpha.yaml', alpha('BOUNCE, COMPLAINT, DELIVERY, REJECT'));
  const plan = await fixture.report(['plan', '--env', 'alpha']);
  const bouncesChange = stackIn(plan, 'alpha-eu-west-1').changes!.destinations[0];
  expect(bouncesChange).toMatchObject({
    name: 'bounces',
    action: 'update',
    eventTypesAdded: ['DELIVERY', 'REJECT'],
    eventTypesRemoved: [],
    metricsBefore: 2,
    metricsAfter: 4,
  });
  expect((await fixture.run(['apply', '--env', 'alpha'])).code).toBe(0);
  expect((await fixture.destinations(ALPHA, 'orders')).bounces).toEqual(['BOUNCE', 'COMPLAINT', 'DELIVERY', 'REJECT']);
});

test('drift: in sync, then every kind of change made outside Terraform, reported and never touched', async () => {
  expect((await fixture.run(['rollout', '--env', 'gamma', '--auto-approve'])).code).toBe(0);
  const clean = await fixture.report(['drift', '--env', 'gamma']);
  expect(clean.exitCode).toBe(0);
  expect(clean.stacks.map((stack) => stack.outcome)).toEqual(['in-sync']);

  const ses = await fixture.ses(GAMMA);
  const cloudWatch = {
    DimensionConfigurations: [
      { DimensionName: 'team', DimensionValueSource: 'MESSAGE_TAG' as const, DefaultDimensionValue: 'none' },
    ],
  };
  await ses.send(
    new UpdateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: 'orders',
      EventDestinationName: 'sends',
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['SEND', 'OPEN'],
        CloudWatchDestination: {
          DimensionConfigurations: [
            { DimensionName: 'campaign', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' },
          ],
        },
      },
    }),
  );
  await ses.send(
    new DeleteConfigurationSetEventDestinationCommand({
      ConfigurationSetName: 'orders',
      EventDestinationName: 'bounces',
    }),
  );
  await ses.send(
    new CreateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: 'orders',
      EventDestinationName: 'hand-made',
      EventDestination: { Enabled: true, MatchingEventTypes: ['CLICK'], CloudWatchDestination: cloudWatch },
    }),
  );
  await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'console-test' }));

  const drift = await fixture.report(['drift', '--env', 'gamma']);
  expect(drift.exitCode).toBe(2);
  const gammaDrift = stackIn(drift, 'gamma-eu-west-1');
  expect(gammaDrift.outcome).toBe('drifted');
  expect(gammaDrift.drift!.resources).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        kind: 'event destination',
        name: 'orders/sends',
        change: 'changed',
        // Before: declared and applied; after: what the account holds now.
        diff: expect.objectContaining({ eventTypesAdded: ['OPEN'], eventTypesRemoved: [] }),
      }),
      expect.objectContaining({ kind: 'event destination', name: 'orders/bounces', change: 'deleted' }),
    ]),
  );
  expect(gammaDrift.drift!.unmanagedDestinations).toEqual([{ configurationSet: 'orders', name: 'hand-made' }]);
  expect(gammaDrift.drift!.unmanagedSets).toEqual(['console-test']);
  // What restoring the declared state would do.
  expect(gammaDrift.changes!.destinations.map((destination) => [destination.name, destination.action])).toEqual(
    expect.arrayContaining([
      ['bounces', 'create'],
      ['sends', 'update'],
    ]),
  );

  const text = await fixture.run(['drift', '--env', 'gamma']);
  expect(text.code).toBe(2);
  expect(text.stdout).toContain(
    '! event destination orders/sends was changed outside Terraform: events +OPEN (account vs declared)',
  );
  expect(text.stdout).toContain('! event destination orders/bounces was deleted outside Terraform');
  expect(text.stdout).toContain('? destination orders/hand-made exists in AWS but in no environment file');
  expect(text.stdout).toContain(
    '? configuration set console-test exists in the account but no environment declares it (left alone)',
  );

  // Reported, never touched; a rollout restores the declared destinations and leaves the rest alone.
  expect((await fixture.run(['rollout', '--env', 'gamma', '--auto-approve'])).code).toBe(0);
  expect(await fixture.setNames(GAMMA)).toEqual(['console-test', 'orders']);
  expect(Object.keys(await fixture.destinations(GAMMA, 'orders')).sort()).toEqual(['bounces', 'hand-made', 'sends']);
  expect((await fixture.destinations(GAMMA, 'orders')).sends).toEqual(['SEND']);
});

test('drift of a stack nothing was applied to (a fresh emulator): no-state, not drifted, and the report says what to run', async () => {
  fixture.write('delta.yaml', alpha('BOUNCE', 'delta', '710000000004'));
  try {
    const drift = await fixture.report(['drift', '--env', 'delta']);
    expect(drift.stacks.map((stack) => [stack.stack, stack.outcome])).toEqual([['delta-eu-west-1', 'no-state']]);
    expect(drift.stacks[0].drift?.resources).toEqual([]);
    expect(drift.exitCode).toBe(2);
    const text = await fixture.run(['drift', '--env', 'delta']);
    expect(text.stdout).toContain('NOTE: The emulator holds no state for 1 stack(s) (delta-eu-west-1)');
    expect(text.stdout).toContain('npx sesform rollout --local --env delta --auto-approve');
  } finally {
    fixture.remove('delta.yaml');
  }
});
