/**
 * The plan/apply engine end to end, with real Terraform against the emulator: saved plans and what
 * apply accepts, wave order, drift of every kind, destroy protection, and shards merged into one report.
 * The tests run in order and share one emulator, as a pipeline's runs share one account.
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

const bounces = (eventTypes: string) => `      - name: bounces
        eventTypes: [${eventTypes}]
        cloudWatch:
          dimensions:
            - { name: ses:configuration-set, source: messageTag, defaultValue: orders }
`;

const alpha = (bounceEvents = 'BOUNCE, COMPLAINT') =>
  environmentYaml(
    'alpha',
    ALPHA,
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
  fixture = await EngineFixture.start({ 'alpha.yaml': alpha(), 'beta.yaml': beta() });
});

afterAll(() => fixture?.stop());

test('apply without a saved plan refuses, names the command to run, and changes nothing', async () => {
  const { code, stdout } = await fixture.run(['apply', '--all']);
  expect(code).toBe(1);
  expect(stdout).toContain('alpha-eu-west-1 (account 710000000001, eu-west-1, wave 0) failed');
  expect(stdout).toContain('no saved plan: run `sesform plan --env alpha');
  expect(stdout).toContain('Some saved plans are missing or stale, so nothing was applied.');
  expect(await fixture.setNames(ALPHA)).toEqual([]);
});

test('a selection is required: --env or --all', async () => {
  const { code, stderr } = await fixture.run(['plan']);
  expect(code).toBe(1);
  expect(stderr).toContain('plan needs the environments to work on: --env NAME (repeatable) or --all');
});

test('plan saves a plan per stack, changes nothing, and reports in SES terms (exit 2)', async () => {
  const markdown = path.join(fixture.root, 'plan.md');
  const report = await fixture.report(['plan', '--all', '--markdown', markdown]);
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
  for (const stack of ['alpha-eu-west-1', 'beta-eu-west-1'])
    expect(fs.existsSync(path.join(fixture.plans, `${stack}.tfplan`))).toBe(true);
  expect(fs.readFileSync(markdown, 'utf8')).toContain(
    '| alpha-eu-west-1 | 710000000001 | 0 | 📝 planned | 3 | 0 | 0 | 0 | 0 -> 7 (+7) |',
  );
  expect(await fixture.setNames(ALPHA)).toEqual([]);
});

test('apply applies exactly the saved plans, wave by wave, and consumes them', async () => {
  const { code, stdout, stderr } = await fixture.run(['apply', '--all']);
  expect(code).toBe(0);
  expect(stdout).toContain('2 applied');
  expect(stderr.indexOf('wave 0: applying alpha-eu-west-1')).toBeLessThan(
    stderr.indexOf('wave 1: applying beta-eu-west-1'),
  );
  expect(stderr.indexOf('apply alpha-eu-west-1: applied')).toBeLessThan(stderr.indexOf('wave 1: applying'));
  expect(await fixture.setNames(ALPHA)).toEqual(['orders']);
  expect(await fixture.setNames(BETA)).toEqual(['legacy', 'receipts']);
  expect(fs.existsSync(path.join(fixture.plans, 'alpha-eu-west-1.tfplan'))).toBe(false);

  const again = await fixture.report(['plan', '--all']);
  expect(again.exitCode).toBe(0);
  expect(again.stacks.map((stack) => stack.outcome)).toEqual(['no-changes', 'no-changes']);
});

test('rollout on a terminal asks before each wave; a "no" stops there and leaves the later waves untouched', async () => {
  fixture.write('alpha.yaml', alpha('BOUNCE, COMPLAINT, SEND'));
  fixture.write('beta.yaml', beta().replace('eventTypes: [DELIVERY]', 'eventTypes: [DELIVERY, BOUNCE]'));
  const questions: string[] = [];
  const prompt = async (question: string) => (questions.push(question), questions.length === 1);
  const report = await fixture.report(['rollout', '--all'], { prompt });
  // The question shows what the report shows: each change with its values, not only counts.
  expect(questions).toHaveLength(2);
  expect(questions[0]).toMatch(
    /^Apply wave 0\?\n {2}alpha-eu-west-1 \(account 710000000001\): 0 to add, 1 to change, 0 to replace, 0 to destroy\n {6}~ destination orders\/bounces: update in place; events \+SEND; metrics /,
  );
  expect(questions[0]).toMatch(/\[y\/N\] $/);
  expect(questions[1]).toMatch(
    /^Apply wave 1\?\n {2}beta-eu-west-1 \(account 710000000002\): 0 to add, 1 to change, 0 to replace, 0 to destroy\n {6}~ destination receipts\/deliveries: update in place; events \+BOUNCE/,
  );
  expect(report.exitCode).toBe(2);
  expect(report.stacks.map((stack) => stack.outcome)).toEqual(['applied', 'not-touched']);
  expect(report.stopped).toBe(
    'Stopped before wave 1: not confirmed. Waves before it are applied; the rest was not touched.',
  );
  expect((await fixture.destinations(ALPHA, 'orders')).bounces).toEqual(['BOUNCE', 'COMPLAINT', 'SEND']);
  expect((await fixture.destinations(BETA, 'receipts')).deliveries).toEqual(['DELIVERY']);
  fixture.write('alpha.yaml', alpha());
  fixture.write('beta.yaml', beta());
  expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
});

test('a plan made before the environment file changed again is stale: apply refuses it', async () => {
  fixture.write('alpha.yaml', alpha('BOUNCE, COMPLAINT, DELIVERY'));
  expect((await fixture.run(['plan', '--env', 'alpha'])).code).toBe(2);
  fixture.write('alpha.yaml', alpha('BOUNCE, COMPLAINT, DELIVERY, REJECT'));

  const stale = await fixture.run(['apply', '--env', 'alpha']);
  expect(stale.code).toBe(1);
  expect(stale.stdout).toContain('the saved plan was made from another configuration');
  expect(stale.stdout).toContain('run `sesform plan --env alpha');
  expect((await fixture.destinations(ALPHA, 'orders')).bounces).toEqual(['BOUNCE', 'COMPLAINT']);

  const plan = await fixture.report(['plan', '--env', 'alpha']);
  const bouncesChange = stackIn(plan, 'alpha-eu-west-1').changes!.destinations[0];
  expect(bouncesChange).toMatchObject({
    name: 'bounces',
    action: 'update',
    eventTypesAdded: ['DELIVERY', 'REJECT'],
    eventTypesRemoved: [],
  });
  // Two more event types, each with the set's name as its one ses:configuration-set value.
  expect(bouncesChange.metricsAfter - bouncesChange.metricsBefore!).toBe(2 * 1);
  expect((await fixture.run(['apply', '--env', 'alpha'])).code).toBe(0);
  expect((await fixture.destinations(ALPHA, 'orders')).bounces).toEqual(['BOUNCE', 'COMPLAINT', 'DELIVERY', 'REJECT']);
});

test('drift: in sync, then every kind of change made outside Terraform, reported and never touched', async () => {
  const clean = await fixture.report(['drift', '--all']);
  expect(clean.exitCode).toBe(0);
  expect(clean.stacks.map((stack) => stack.outcome)).toEqual(['in-sync', 'in-sync']);

  const ses = await fixture.ses(ALPHA);
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

  const drift = await fixture.report(['drift', '--all']);
  expect(drift.exitCode).toBe(2);
  const alphaDrift = stackIn(drift, 'alpha-eu-west-1');
  expect(alphaDrift.outcome).toBe('drifted');
  expect(alphaDrift.drift!.resources).toEqual(
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
  expect(alphaDrift.drift!.unmanagedDestinations).toEqual([{ configurationSet: 'orders', name: 'hand-made' }]);
  expect(alphaDrift.drift!.unmanagedSets).toEqual(['console-test']);
  // What restoring the declared state would do.
  expect(alphaDrift.changes!.destinations.map((destination) => [destination.name, destination.action])).toEqual(
    expect.arrayContaining([
      ['bounces', 'create'],
      ['sends', 'update'],
    ]),
  );
  expect(stackIn(drift, 'beta-eu-west-1').outcome).toBe('in-sync');

  const text = await fixture.run(['drift', '--env', 'alpha']);
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
  expect((await fixture.run(['rollout', '--env', 'alpha', '--auto-approve'])).code).toBe(0);
  expect(await fixture.setNames(ALPHA)).toEqual(['console-test', 'orders']);
  expect(Object.keys(await fixture.destinations(ALPHA, 'orders')).sort()).toEqual(['bounces', 'hand-made', 'sends']);
  expect((await fixture.destinations(ALPHA, 'orders')).sends).toEqual(['SEND']);
});

test('destroy protection: a protected set removed from the file is refused (exit 3) until --allow-destroy names it', async () => {
  fixture.write('beta.yaml', beta(false));
  const plan = await fixture.run(['plan', '--env', 'beta']);
  expect(plan.code).toBe(2);
  const lines = plan.stdout.split('\n');
  expect(lines[1]).toBe('!! beta-eu-west-1: configuration set "legacy" will be DESTROYED (protected environment)');
  expect(plan.stdout).toContain('- configuration set legacy: DESTROY');

  const refused = await fixture.run(['apply', '--env', 'beta', '--allow-destroy', 'some-other-set']);
  expect(refused.code).toBe(3);
  expect(refused.stdout).toContain(
    'REFUSED: beta-eu-west-1: the plan destroys configuration set "legacy" of protected environment "beta"',
  );
  expect(refused.stdout).toContain('apply with --allow-destroy legacy');
  expect(await fixture.setNames(BETA)).toEqual(['legacy', 'receipts']);
  expect(fs.existsSync(path.join(fixture.plans, 'beta-eu-west-1.tfplan'))).toBe(true);

  const allowed = await fixture.run(['apply', '--env', 'beta', '--allow-destroy', 'legacy']);
  expect(allowed.code).toBe(0);
  expect(await fixture.setNames(BETA)).toEqual(['receipts']);
});

test('shards split the stacks between jobs; report --merge gives one report and one exit code', async () => {
  fixture.write('alpha.yaml', alpha('BOUNCE'));
  const files = [1, 2].map((index) => path.join(fixture.root, `shard-${index}.json`));
  const shards = [];
  for (const [index, file] of files.entries()) {
    const report = await fixture.report(['plan', '--all', '--shard', `${index + 1}/2`]);
    fs.writeFileSync(file, report.run.stdout);
    shards.push(report);
  }
  expect(shards.map((report) => report.stacks.map((stack) => stack.stack))).toEqual([
    ['alpha-eu-west-1'],
    ['beta-eu-west-1'],
  ]);
  expect(shards.map((report) => report.exitCode)).toEqual([2, 0]);

  const merged = await fixture.run(['report', '--merge', ...files, '--json']);
  expect(merged.code).toBe(2);
  const report = JSON.parse(merged.stdout);
  expect(report.stacks.map((stack: { stack: string; outcome: string }) => [stack.stack, stack.outcome])).toEqual([
    ['alpha-eu-west-1', 'planned'],
    ['beta-eu-west-1', 'no-changes'],
  ]);

  const wave = await fixture.report(['plan', '--all', '--wave', '1']);
  expect(wave.stacks.map((stack) => stack.stack)).toEqual(['beta-eu-west-1']);

  const overlapping = await fixture.run(['report', '--merge', files[0], files[0]]);
  expect(overlapping.code).toBe(1);
  expect(overlapping.stderr).toContain(
    'stack alpha-eu-west-1 is in more than one report: were the shards overlapping?',
  );
});

test('a provider lock file that pins another version (left by an earlier run) is upgraded by sesform, and said so', async () => {
  expect((await fixture.run(['plan', '--env', 'alpha'])).code).not.toBe(1);
  const stackDir = path.join(fixture.outdir, 'stacks', 'alpha-eu-west-1');
  const lockFile = path.join(stackDir, '.terraform.lock.hcl');
  // What another run with another provider source left: a lock on a version this configuration excludes.
  const lock = fs.readFileSync(lockFile, 'utf8');
  const pinned = /version\s+=\s+"([^"]+)"/.exec(lock)![1];
  fs.writeFileSync(
    lockFile,
    lock
      .replace(/version\s+=\s+"[^"]+"/, 'version     = "4.0.0"')
      .replace(/constraints\s+=\s+"[^"]+"/, 'constraints = "4.0.0"'),
  );
  fs.rmSync(path.join(stackDir, '.terraform', 'sesform-init'));
  const report = await fixture.report(['plan', '--env', 'alpha']);
  expect([report.exitCode, stackIn(report, 'alpha-eu-west-1').error]).toEqual([expect.any(Number), undefined]);
  expect(stackIn(report, 'alpha-eu-west-1').retries).toEqual([
    expect.stringMatching(
      /^init: the provider lock file pinned registry\.terraform\.io\/hashicorp\/aws 4\.0\.0, which this configuration's version constraint excludes; re-initialized with -upgrade/,
    ),
  ]);
  expect(fs.readFileSync(lockFile, 'utf8')).toContain(`version     = "${pinned}"`);
});
