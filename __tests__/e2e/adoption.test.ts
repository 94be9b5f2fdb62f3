/**
 * Brownfield adoption on the emulator: sets and destinations made by hand (as in the console) are
 * imported, never created again or replaced; what the file does not declare is left alone.
 */
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  EventDestinationDefinition,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { accountClientConfig } from '../../src/aws/account-access';
import { localTarget } from '../../src/local/local-target';
import { main } from '../../src/cli';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import { loadEnvironments } from '../../src/fleet/loader';
import { LocalStacks, sesClientIn } from '../helpers/local-stacks';
import { environmentYaml, writeFiles } from '../helpers/synth';

jest.setTimeout(300_000);

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

function sesIn(account: string, region = 'eu-west-1'): Promise<SESv2Client> {
  return sesClientIn(emulator.endpoint, account, region);
}

const cloudWatch = (enabled: boolean, dimension: string, defaultValue: string): EventDestinationDefinition => ({
  Enabled: enabled,
  MatchingEventTypes: ['SEND', 'BOUNCE'],
  CloudWatchDestination: {
    DimensionConfigurations: [
      { DimensionName: dimension, DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: defaultValue },
    ],
  },
});

async function createByHand(ses: SESv2Client, set: string, destinations: Record<string, EventDestinationDefinition>) {
  await ses.send(
    new CreateConfigurationSetCommand({ ConfigurationSetName: set, SendingOptions: { SendingEnabled: true } }),
  );
  for (const [name, definition] of Object.entries(destinations))
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: set,
        EventDestinationName: name,
        EventDestination: definition,
      }),
    );
}

async function sesform(...argv: string[]): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  let output = '';
  out.on('data', (chunk) => (output += chunk));
  const code = await main([...argv, '--local', '--endpoint', emulator.endpoint], out, out);
  return { code, output };
}

test('adopt: existing sets and destinations are imported and updated in place, undeclared ones are left alone', async () => {
  const account = '777777777777';
  const ses = await sesIn(account);
  await createByHand(ses, 'transactional', {
    metrics: cloudWatch(false, 'campaign', 'from-console'),
    legacy: cloudWatch(true, 'team', 'none'),
  });
  await createByHand(ses, 'console-made', { everything: cloudWatch(true, 'app', 'none') });

  const files = writeFiles({
    'adopted.yaml': environmentYaml(
      'adopted',
      account,
      `configurationSets:
  - name: transactional
    eventDestinations:
      - name: metrics
        eventTypes: [send, bounce]
        cloudWatch:
          dimensions: [{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 5 }]
      - name: delivery
        eventTypes: [delivery]
        cloudWatch:
          dimensions: [{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 5 }]
  - name: fresh
`,
    ),
  });
  let local: LocalStacks | undefined;
  try {
    const { code, output } = await sesform('adopt', '--env', 'adopted', '--environments', files.dir);
    expect(code).toBe(0);
    expect(output).toContain('  import     configuration set transactional');
    expect(output).toContain('  import     destination transactional/metrics');
    expect(output).toContain('  create     transactional/delivery (declared, not in the account yet)');
    expect(output).toContain('  create     fresh (declared, not in the account yet)');
    expect(output).toContain(
      '  unmanaged  destination transactional/legacy: in the account, not in the file; left alone',
    );
    expect(output).toContain(
      '  unmanaged  configuration set console-made: in the account, not in the file; left alone. To manage it, add:',
    );
    expect(output).toContain('        - name: console-made');

    local = await LocalStacks.start(files.dir, emulator);
    const stack = local.workspace('adopted-eu-west-1');
    await stack.init();
    const plan = await stack.plan();
    // The two declared destinations not in the account yet, and the stack's record of metric estimates.
    expect(plan).toMatchObject({ import: 2, add: 3, destroy: 0 });
    expect(plan.output).not.toMatch(/must be replaced|will be destroyed/);
    expect(plan.output).not.toMatch(/aws_sesv2_configuration_set\.transactional_\w+ will be created/);
    expect(plan.output).not.toMatch(/transactional_metrics_\w+ will be created/);
    expect(plan.output).toMatch(
      /# aws_sesv2_configuration_set_event_destination\.transactional_metrics_\w+ will be updated in-place/,
    );
    await stack.apply();
    expect((await stack.plan()).changes).toBe(false);
    // What the file does not declare is still there, untouched.
    expect(await local.setNames(account, 'eu-west-1')).toEqual(['console-made', 'fresh', 'transactional']);
  } finally {
    await local?.stop();
    files.cleanup();
  }
});

test("export: an account becomes an environment file that plans as imports (plus sesform's own tags), with no create and no destroy", async () => {
  const account = '888888888888';
  await createByHand(await sesIn(account), 'receipts', {
    bounces: cloudWatch(true, 'ses:configuration-set', 'receipts'),
    paused: cloudWatch(false, 'template', 'none'),
  });
  const files = writeFiles({});
  let local: LocalStacks | undefined;
  try {
    const { code, output } = await sesform(
      'export',
      '--name',
      'exported',
      '--role',
      `arn:aws:iam::${account}:role/ses-deploy`,
      '--region',
      'eu-west-1',
      '--state-bucket',
      'exported-state',
      '--environments',
      files.dir,
    );
    expect(code).toBe(0);
    expect(output).toMatch(
      /^Exported 1 configuration set\(s\) and 2 destination\(s\) to .*exported\.yaml; imports in .*\.imports\/exported-eu-west-1\.json\./,
    );
    const { environments, problems } = loadEnvironments(files.dir);
    expect(problems).toEqual([]);
    expect(environments[0].environment.configurationSets[0]).toMatchObject({
      name: 'receipts',
      sendingEnabled: true,
      eventDestinations: [
        { name: 'bounces', enabled: true, eventTypes: ['SEND', 'BOUNCE'] },
        { name: 'paused', enabled: false },
      ],
    });
    expect(fs.readFileSync(environments[0].file, 'utf8')).toMatch(/^# Exported by sesform from account 888888888888/);

    local = await LocalStacks.start(files.dir, emulator);
    const stack = local.workspace('exported-eu-west-1');
    await stack.init();
    const plan = await stack.plan();
    // The one in-place change is sesform's own tags on the imported set, which mark it as managed; the
    // one creation is the stack's record of metric estimates, which holds nothing of the account's.
    expect(plan).toMatchObject({ import: 3, add: 1, change: 1, destroy: 0 });
    expect(plan.output.match(/will be created/g)).toHaveLength(1);
    expect(plan.output).toMatch(/# terraform_data\.sesform-metric-estimates will be created/);
    const setUpdate = /# aws_sesv2_configuration_set\.\S+ will be updated in-place[\s\S]*?\n\n/.exec(plan.output)![0];
    const changedAttributes = setUpdate
      .split('\n')
      .filter((line) => /^\s+[~+-] (?!resource|update)/.test(line))
      .map((line) => line.trim().replace(/\s+=.*/, ''));
    expect(changedAttributes).toEqual(['~ tags_all', '+ "managed-by"', '+ "sesform-environment"']);
    expect(plan.output).not.toMatch(/must be replaced|will be destroyed/);
    await stack.apply();
    expect((await stack.plan()).changes).toBe(false);
    // Exporting again never overwrites the file.
    expect((await sesform('export', '--env', 'exported', '--environments', files.dir)).output).toContain(
      'exists already; export never overwrites a file.',
    );
  } finally {
    await local?.stop();
    files.cleanup();
  }
});

async function alarmsByHand(account: string, alarms: PutMetricAlarmCommandInput[]): Promise<void> {
  const config = await accountClientConfig(
    {
      roleArn: `arn:aws:iam::${account}:role/ses-deploy`,
      region: 'eu-west-1',
      local: localTarget(emulator.endpoint, 'unused'),
    },
    'adoption-test',
  );
  const client = new CloudWatchClient(config);
  try {
    for (const alarm of alarms) await client.send(new PutMetricAlarmCommand(alarm));
  } finally {
    client.destroy();
  }
}

const reputationAlarm = (name: string, metric: string, set: string, threshold: number, actions: string[] = []) => ({
  AlarmName: name,
  Namespace: 'AWS/SES',
  MetricName: metric,
  Dimensions: [{ Name: 'ses:configuration-set', Value: set }],
  Statistic: 'Maximum' as const,
  Period: 3600,
  EvaluationPeriods: 1,
  Threshold: threshold,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
  AlarmActions: actions,
});

test('adopt and export read alarms on SES metrics: same-named ones imported, reputation thresholds exported, others left alone', async () => {
  const account = '999999999991';
  const ses = await sesIn(account);
  await ses.send(
    new CreateConfigurationSetCommand({
      ConfigurationSetName: 'receipts',
      ReputationOptions: { ReputationMetricsEnabled: true },
    }),
  );
  await alarmsByHand(account, [
    reputationAlarm('sesform-shop-receipts-bounce-rate', 'Reputation.BounceRate', 'receipts', 0.03),
    reputationAlarm('console-complaints', 'Reputation.ComplaintRate', 'receipts', 0.0008, [
      `arn:aws:sns:eu-west-1:${account}:ops`,
    ]),
  ]);
  const files = writeFiles({
    'shop.yaml': environmentYaml(
      'shop',
      account,
      `monitoring:
  reputation: { bounceRate: "3%" }
  dashboard: false
configurationSets:
  - name: receipts
`,
    ),
  });
  const exported = writeFiles({});
  let local: LocalStacks | undefined;
  try {
    const { code, output } = await sesform('adopt', '--env', 'shop', '--environments', files.dir);
    expect(code).toBe(0);
    expect(output).toContain('  import     alarm sesform-shop-receipts-bounce-rate');
    expect(output).toContain(
      '  create     alarm sesform-shop-receipts-complaint-rate (declared, not in the account yet)',
    );
    expect(output).toContain(
      '  unmanaged  alarm console-complaints: on SES metrics, not declared under this name; left alone',
    );
    local = await LocalStacks.start(files.dir, emulator);
    const stack = local.workspace('shop-eu-west-1');
    await stack.init();
    const plan = await stack.plan();
    expect(plan).toMatchObject({ import: 2, destroy: 0 });
    expect(plan.output).not.toMatch(/aws_cloudwatch_metric_alarm\.\S+BounceRate\S* will be created/);
    await stack.apply();
    expect((await stack.plan()).changes).toBe(false);

    const run = await sesform(
      'export',
      '--name',
      'copied',
      '--role',
      `arn:aws:iam::${account}:role/ses-deploy`,
      '--region',
      'eu-west-1',
      '--environments',
      exported.dir,
    );
    expect(run.code).toBe(0);
    // sesform's own alarm (applied above) has sesform-shop's name, not sesform-copied's: both are replaced.
    expect(run.output).toContain(
      '  alarm console-complaints: its threshold is in the file; sesform creates its own alarm beside it, so delete console-complaints after the first rollout',
    );
    const { environments, problems } = loadEnvironments(exported.dir);
    expect(problems).toEqual([]);
    const { environment } = environments[0];
    expect(environment.monitoring).toEqual({
      reputation: false,
      dashboard: false,
      // The topic most of the alarms notify: sesform-shop's two alarms, over the console's one.
      notify: { topicArn: `arn:aws:sns:{region}:${account}:sesform-shop-ses-alarms`, okActions: true },
    });
    // The lowest threshold of each rate among the set's alarms: the applied 3% bounce alarm, and for
    // complaints the 0.05% of the default alarm applied above (lower than the console's 0.08%).
    expect(environment.configurationSets.find((set) => set.name === 'receipts')!.monitoring).toEqual({
      reputation: { bounceRate: '3%', complaintRate: '0.05%' },
    });
  } finally {
    await local?.stop();
    files.cleanup();
    exported.cleanup();
  }
});
