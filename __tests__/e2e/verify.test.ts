/**
 * sesform verify with real Terraform on the emulator: the samples, rolled out, verify (exit 0); a
 * destination disabled out of band is named as missing, with its cause (exit 2); and rollout --verify
 * stops the waves after one whose metrics are missing.
 */
import {
  GetConfigurationSetEventDestinationsCommand,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-sesv2';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml, sampleFiles } from '../helpers/synth';

jest.setTimeout(600_000);

describe('the samples', () => {
  let fixture: EngineFixture;

  beforeAll(async () => {
    fixture = await EngineFixture.start(sampleFiles());
    expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  test('verify --local --all: every series it can produce is verified (exit 0)', async () => {
    const run = await fixture.run(['verify', '--all', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const results = report.stacks.flatMap((stack: { results: { status: string }[] }) => stack.results);
    expect(results.filter((result: { status: string }) => result.status === 'missing')).toEqual([]);
    expect(results.filter((result: { status: string }) => result.status === 'verified').length).toBeGreaterThan(0);
  });

  test('a destination disabled out of band: exit 2, named, with its cause', async () => {
    const ses = await fixture.ses('111111111111');
    const { EventDestinations = [] } = await ses.send(
      new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'transactional' }),
    );
    const { Name, ...destination } = EventDestinations.find((each) => each.Name === 'delivery-metrics')!;
    await ses.send(
      new UpdateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'transactional',
        EventDestinationName: Name,
        EventDestination: { ...destination, Enabled: false },
      }),
    );
    const run = await fixture.run(['verify', '--env', 'dev', '--timeout', '3']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /MISSING transactional\/delivery-metrics: Send \{ses:configuration-set=transactional, template=none\}/,
    );
    expect(run.stdout).toContain('the destination is disabled in the account (declared enabled): check drift.');
  });
});

describe('rollout --verify', () => {
  let fixture: EngineFixture;
  const waveFile = (name: string, account: string, wave: number) =>
    environmentYaml(
      name,
      account,
      `wave: ${wave}
configurationSets:
  - name: receipts
    eventDestinations:
      - name: sent
        eventTypes: [send, delivery]
        cloudWatch:
          dimensions: [{ name: kind, source: messageTag, defaultValue: receipt }]
`,
    );

  beforeAll(async () => {
    fixture = await EngineFixture.start(
      { 'first.yaml': waveFile('first', '750000000001', 0), 'second.yaml': waveFile('second', '750000000002', 1) },
      { faultInjection: true },
    );
  });

  afterAll(async () => {
    await fixture?.stop();
  });

  test("a wave whose metrics are missing stops the waves after it; the report shows the wave's verification", async () => {
    // SES refuses every test message in the first wave's account: nothing is published there.
    await fixture.inject({
      operation: 'SendEmail',
      count: 100,
      status: 400,
      code: 'MessageRejected',
      account: '750000000001',
    });
    const report = await fixture.report(['rollout', '--all', '--auto-approve', '--verify']);
    expect(report.run.code).toBe(2);
    expect(report.stacks.map((stack) => [stack.stack, stack.outcome])).toEqual([
      ['first-eu-west-1', 'applied'],
      ['second-eu-west-1', 'not-touched'],
    ]);
    expect(report.stopped).toContain('Wave 0 is applied, but verify found metrics missing in first-eu-west-1');
    const [verification] = report.verification!;
    expect(verification.results.map((result) => [result.metricName, result.status])).toEqual([
      ['Send', 'missing'],
      ['Delivery', 'missing'],
    ]);
    expect(verification.results[0].cause).toMatch(/^the test send through receipts failed: MessageRejected/);
    expect(await fixture.setNames('750000000002')).toEqual([]);

    await fixture.clearFaults();
    const again = await fixture.report(['rollout', '--all', '--auto-approve', '--verify']);
    expect(again.run.code).toBe(0);
    expect(again.verification!.map((stack) => stack.stack)).toEqual(['first-eu-west-1', 'second-eu-west-1']);
  });
});
