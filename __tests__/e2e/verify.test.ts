/**
 * sesform verify with real Terraform on the emulator: the samples, rolled out, verify (exit 0); mail
 * sent through the samples' sets with tags, headers (one non-ASCII) and a click lands on exactly the
 * series SES would publish; a destination disabled out of band is named as missing, with its cause
 * (exit 2); and rollout --verify stops the waves after one whose metrics are missing.
 */
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetConfigurationSetEventDestinationsCommand,
  SESv2Client,
  SendEmailCommand,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-sesv2';
import { accountClientConfig } from '../../src/aws/account-access';
import { localTarget } from '../../src/local/local-target';
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

  test("mail through the samples' sets lands on their destinations' series, with the senders' values", async () => {
    const config = await accountClientConfig(
      {
        roleArn: 'arn:aws:iam::333333333333:role/ses-deploy',
        region: 'eu-west-1',
        local: localTarget(fixture.emulator.endpoint, 'unused'),
      },
      'samples-test',
    );
    const [ses, cloudWatch] = [new SESv2Client(config), new CloudWatchClient(config)];
    try {
      const send = (set: string, to: string, tags: Record<string, string>, headers: Record<string, string> = {}) =>
        ses.send(
          new SendEmailCommand({
            FromEmailAddress: 'ops@notifications.example.com',
            Destination: { ToAddresses: [to] },
            ConfigurationSetName: set,
            EmailTags: Object.entries(tags).map(([Name, Value]) => ({ Name, Value })),
            Content: {
              Simple: {
                Subject: { Data: 'sample' },
                Body: { Html: { Data: '<a href="https://example.com/p" ses:tags="link:promo">p</a>' } },
                Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
              },
            },
          }),
        );
      const series = async (metric: string, dimensions: Record<string, string>) => {
        const { Metrics = [] } = await cloudWatch.send(
          new ListMetricsCommand({
            Namespace: 'AWS/SES',
            MetricName: metric,
            Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
          }),
        );
        return Metrics.filter((each) => each.Dimensions?.length === Object.keys(dimensions).length).length;
      };
      const { MessageId } = await send(
        'marketing',
        'success@simulator.amazonses.com',
        { campaign: 'spring', genre: 'jazz' },
        { 'X-Campaign-Id': 'c-42' },
      );
      await fetch(`${fixture.emulator.endpoint}/_sesform/engagement`, {
        method: 'POST',
        body: JSON.stringify({ MessageId, Event: 'CLICK' }),
      });
      // One message, four destinations of the set (campaigns is two: one per dimension set).
      expect(await series('Send', { campaign: 'spring' })).toBe(1);
      expect(await series('Delivery', { campaign: 'spring' })).toBe(1);
      expect(await series('Send', { campaign: 'spring', genre: 'jazz' })).toBe(1);
      expect(await series('Send', { 'X-Campaign-Id': 'c-42' })).toBe(1);
      expect(await series('Click', { campaign: 'spring', link: 'promo' })).toBe(1);
      // campaign-headers does not publish Delivery; engagement does not publish Send.
      expect(await series('Delivery', { 'X-Campaign-Id': 'c-42' })).toBe(0);
      expect(await series('Send', { campaign: 'spring', link: 'promo' })).toBe(0);

      // A non-ASCII header value: the mail goes, its header destination stays silent.
      await send('marketing', 'success@simulator.amazonses.com', { campaign: 'umlaut' }, { 'X-Campaign-Id': 'c-ö' });
      expect(await series('Send', { campaign: 'umlaut' })).toBe(1);
      expect(await series('Send', { 'X-Campaign-Id': 'c-ö' })).toBe(0);

      // transactional: the set name from SES, the template tag from the sender; a bounce, no delivery.
      await send('transactional', 'bounce@simulator.amazonses.com', { template: 'welcome' });
      const transactional = { 'ses:configuration-set': 'transactional', template: 'welcome' };
      expect(await series('Bounce', transactional)).toBe(1);
      expect(await series('Delivery', transactional)).toBe(0);
    } finally {
      ses.destroy();
      cloudWatch.destroy();
    }
  });

  test('--probe: a probe value per tag, header and link dimension reaches its own series, costed before sending', async () => {
    const run = await fixture.run(['verify', '--env', 'prod', '--probe', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/--probe adds \d+ metric series \(custom metrics\): at most \d+ x \$0\.30/);
    const verified = JSON.parse(run.stdout)
      .stacks.flatMap((stack: { results: unknown[] }) => stack.results)
      .filter((result: { status: string }) => result.status === 'verified');
    const probed = (set: string, destination: string, metric: string) =>
      verified.find(
        (result: { configurationSet: string; destination: string; metricName: string }) =>
          result.configurationSet === set && result.destination === destination && result.metricName === metric,
      )?.dimensions;
    expect(probed('marketing', 'campaign-headers', 'Send')).toEqual([
      { name: 'X-Campaign-Id', value: 'sesform-probe' },
    ]);
    expect(probed('marketing', 'engagement', 'Click')).toEqual([
      { name: 'campaign', value: 'sesform-probe' },
      { name: 'link', value: 'sesform-probe' },
    ]);
    // Opens carry no link tags: the link dimension keeps its default there.
    expect(probed('marketing', 'engagement', 'Open')).toEqual([
      { name: 'campaign', value: 'sesform-probe' },
      { name: 'link', value: 'none' },
    ]);
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
    // SES refused the message: none was sent.
    expect(verification.messagesSent).toBe(0);
    expect(await fixture.setNames('750000000002')).toEqual([]);

    await fixture.clearFaults();
    const again = await fixture.report(['rollout', '--all', '--auto-approve', '--verify']);
    expect(again.run.code).toBe(0);
    expect(again.verification!.map((stack) => stack.stack)).toEqual(['first-eu-west-1', 'second-eu-west-1']);
  });
});
