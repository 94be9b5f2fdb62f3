/**
 * Monitoring end to end with real Terraform on the emulator: the samples' alarms, topics,
 * subscriptions and dashboards read back with the AWS SDK in each account; then an environment of
 * the test's own: no perpetual diff, a changed threshold planned as an update in place and shown in
 * SES words, an alarm changed out of band caught by drift, an alarm's state change reaching its
 * topic, and the reputation rates the alarms watch published when mail bounces. Expected names,
 * thresholds and dimensions are written out here from the environment files, not computed by sesform.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  MetricAlarm,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateEmailIdentityCommand,
  GetConfigurationSetEventDestinationsCommand,
  ListConfigurationSetsCommand,
  SendEmailCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { accountClientConfig } from '../../src/aws/account-access';
import { localTarget } from '../../src/local/local-target';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml, sampleFiles } from '../helpers/synth';

jest.setTimeout(600_000);

async function clients(fixture: EngineFixture, account: string, region: string) {
  const config = await accountClientConfig(
    {
      roleArn: `arn:aws:iam::${account}:role/ses-deploy`,
      region,
      local: localTarget(fixture.emulator.endpoint, 'unused'),
    },
    'monitoring-test',
  );
  return { cloudWatch: new CloudWatchClient(config), sns: new SNSClient(config), ses: new SESv2Client(config) };
}

async function alarmsOf(cloudWatch: CloudWatchClient, prefix: string): Promise<Record<string, MetricAlarm>> {
  const { MetricAlarms = [] } = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }));
  return Object.fromEntries(MetricAlarms.map((alarm) => [alarm.AlarmName!, alarm]));
}

const dimensionsOf = (alarm: MetricAlarm) =>
  Object.fromEntries((alarm.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));

describe('the samples', () => {
  let fixture: EngineFixture;

  beforeAll(async () => {
    fixture = await EngineFixture.start(sampleFiles());
    const rollout = await fixture.run(['rollout', '--all', '--auto-approve']);
    expect(rollout.code).toBe(0);
  });

  afterAll(async () => fixture?.stop());

  // From environments/*.yaml: defaults 2.5% and 0.05% (half of SES's review rates); prod 1.5% and 0.03%.
  const SAMPLE_STACKS = [
    {
      env: 'dev',
      account: '111111111111',
      region: 'eu-west-1',
      rates: { bounce: 0.025, complaint: 0.0005 },
      reputationSets: ['marketing', 'transactional'],
      hardBounces: 50,
      subscriptions: [['email', 'ses-oncall@example.com']],
    },
    {
      env: 'staging',
      account: '222222222222',
      region: 'eu-west-1',
      rates: { bounce: 0.025, complaint: 0.0005 },
      // staging's marketing set has reputationMetrics: false: SES publishes no rates to alarm on.
      reputationSets: ['transactional'],
      hardBounces: 50,
      subscriptions: [['email', 'ses-oncall@example.com']],
    },
    ...['eu-west-1', 'us-east-1'].map((region) => ({
      env: 'prod',
      account: '333333333333',
      region,
      rates: { bounce: 0.015, complaint: 0.0003 },
      reputationSets: ['marketing', 'security-alerts', 'transactional'],
      hardBounces: 20,
      subscriptions: [
        ['email', 'ses-oncall@example.com'],
        ['https', 'https://events.pager.example.com/integration/ses-prod'],
      ],
    })),
  ];

  test.each(SAMPLE_STACKS)(
    '$env-$region: alarms, topic, subscriptions and dashboard as declared',
    async ({ env, account, region, rates, reputationSets, hardBounces, subscriptions }) => {
      const { cloudWatch, sns, ses } = await clients(fixture, account, region);
      try {
        const topicArn = `arn:aws:sns:${region}:${account}:sesform-${env}-ses-alarms`;
        const alarms = await alarmsOf(cloudWatch, `sesform-${env}-`);
        const expectedNames = [
          ...reputationSets.flatMap((set) => [
            `sesform-${env}-${set}-bounce-rate`,
            `sesform-${env}-${set}-complaint-rate`,
          ]),
          `sesform-${env}-transactional-hard-bounces`,
          ...(env === 'prod' ? [`sesform-${env}-security-alerts-bounces-per-send`] : []),
        ].sort();
        expect(Object.keys(alarms).sort()).toEqual(expectedNames);

        for (const set of reputationSets)
          for (const [rate, metric] of [
            ['bounce', 'Reputation.BounceRate'],
            ['complaint', 'Reputation.ComplaintRate'],
          ] as const) {
            const alarm = alarms[`sesform-${env}-${set}-${rate}-rate`];
            expect(alarm).toMatchObject({
              Namespace: 'AWS/SES',
              MetricName: metric,
              Statistic: 'Maximum',
              Period: 3600,
              EvaluationPeriods: 1,
              Threshold: rates[rate],
              ComparisonOperator: 'GreaterThanOrEqualToThreshold',
              TreatMissingData: 'ignore',
              AlarmActions: [topicArn],
              OKActions: [topicArn],
            });
            expect(dimensionsOf(alarm)).toEqual({ 'ses:configuration-set': set });
          }

        const hard = alarms[`sesform-${env}-transactional-hard-bounces`];
        expect(hard).toMatchObject({
          Namespace: 'AWS/SES',
          MetricName: 'Bounce',
          Statistic: 'Sum',
          Period: 300,
          Threshold: hardBounces,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [topicArn],
        });
        // Every dimension of transactional/delivery-metrics; SES fills ses:configuration-set with the set's name.
        expect(dimensionsOf(hard)).toEqual({ 'ses:configuration-set': 'transactional', template: 'none' });

        if (env === 'prod') {
          const rate = alarms['sesform-prod-security-alerts-bounces-per-send'];
          expect(rate.Threshold).toBe(0.02);
          const metrics = (rate.Metrics ?? []).filter((query) => query.MetricStat);
          expect(metrics.map((query) => query.MetricStat!.Metric!.MetricName).sort()).toEqual(['Bounce', 'Send']);
          for (const query of metrics) {
            expect(query.MetricStat!.Period).toBe(3600);
            expect(Object.fromEntries(query.MetricStat!.Metric!.Dimensions!.map((d) => [d.Name, d.Value]))).toEqual({
              'ses:from-domain': 'notifications.example.com',
              'alert-kind': 'generic',
            });
          }
          expect((rate.Metrics ?? []).find((query) => query.Expression)?.Expression).toBe('events / per');
        }

        const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
        expect(Subscriptions.map((entry) => [entry.Protocol, entry.Endpoint]).sort()).toEqual(
          [...subscriptions].sort(),
        );

        // The dashboard shows only series the destinations publish: each SEARCH names a destination's
        // exact dimension names and one of its event types' metrics.
        const { DashboardBody } = await cloudWatch.send(
          new GetDashboardCommand({ DashboardName: `sesform-${env}-${region}` }),
        );
        const widgets = JSON.parse(DashboardBody!).widgets as {
          type: string;
          properties: { title?: string; metrics?: unknown[][]; annotations?: { horizontal: { value: number }[] } };
        }[];
        const { ConfigurationSets = [] } = await ses.send(new ListConfigurationSetsCommand({}));
        const published = new Set<string>();
        for (const set of ConfigurationSets) {
          const { EventDestinations = [] } = await ses.send(
            new GetConfigurationSetEventDestinationsCommand({
              ConfigurationSetName: set,
            }),
          );
          // Only CloudWatch destinations publish metrics (transactional's suppression feed goes to SNS).
          for (const destination of EventDestinations.filter((entry) => entry.Enabled && entry.CloudWatchDestination)) {
            const names = destination.CloudWatchDestination!.DimensionConfigurations!.map((d) => d.DimensionName!);
            for (const type of destination.MatchingEventTypes!) published.add(`${names.join(',')}|${type}`);
          }
        }
        const metricName: Record<string, string> = {
          Send: 'SEND',
          Delivery: 'DELIVERY',
          Bounce: 'BOUNCE',
          Complaint: 'COMPLAINT',
          Reject: 'REJECT',
          Open: 'OPEN',
          Click: 'CLICK',
          'Rendering Failure': 'RENDERING_FAILURE',
          DeliveryDelay: 'DELIVERY_DELAY',
          Subscription: 'SUBSCRIPTION',
        };
        const searches = widgets
          .flatMap((widget) => (widget.properties.metrics ?? []) as unknown[][])
          .flatMap((row) =>
            row.filter(
              (item): item is { expression: string } =>
                typeof item === 'object' && item !== null && 'expression' in item,
            ),
          )
          .map((item) => /^SEARCH\('\{AWS\/SES,(.*?)\} MetricName="(.*?)"/.exec(item.expression))
          .filter((match): match is RegExpExecArray => match !== null);
        expect(searches.length).toBeGreaterThan(0);
        for (const [, names, metric] of searches)
          expect(published).toContain(`${names.replace(/"/g, '')}|${metricName[metric]}`);
        const reputation = widgets.filter((widget) => String(widget.properties.title).endsWith(': reputation (%)'));
        expect(reputation.map((widget) => widget.properties.title).sort()).toEqual(
          reputationSets.map((set) => `${set}: reputation (%)`),
        );
        for (const widget of reputation)
          expect(widget.properties.annotations!.horizontal.map((line) => line.value)).toEqual([
            rates.bounce * 100,
            5,
            rates.complaint * 100,
            0.1,
          ]);
      } finally {
        cloudWatch.destroy();
        sns.destroy();
        ses.destroy();
      }
    },
  );
});

describe('an environment of its own', () => {
  const ACCOUNT = '740000000015';
  const monitoring = (bounceRate: string) => `monitoring:
  reputation: { bounceRate: "${bounceRate}" }
configurationSets:
  - name: orders
    eventDestinations:
      - name: outcomes
        eventTypes: [send, delivery, bounce, complaint]
        cloudWatch:
          dimensions: [{ name: kind, source: messageTag, defaultValue: receipt }]
    monitoring:
      alarms:
        - { name: bounces, destination: outcomes, event: bounce, threshold: 5 }
`;
  let fixture: EngineFixture;
  let cloudWatch: CloudWatchClient;
  let ses: SESv2Client;

  beforeAll(async () => {
    fixture = await EngineFixture.start({ 'shop.yaml': environmentYaml('shop', ACCOUNT, monitoring('2.5%')) });
    expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
    ({ cloudWatch, ses } = await clients(fixture, ACCOUNT, 'eu-west-1'));
  });

  afterAll(async () => {
    cloudWatch?.destroy();
    ses?.destroy();
    await fixture?.stop();
  });

  test('applied monitoring plans no change on the next run', async () => {
    const plan = await fixture.report(['plan', '--all']);
    expect(plan.stacks.map((stack) => stack.outcome)).toEqual(['no-changes']);
    expect(plan.exitCode).toBe(0);
  });

  test('a changed threshold plans as an update in place, in SES words', async () => {
    fixture.write('shop.yaml', environmentYaml('shop', ACCOUNT, monitoring('1%')));
    const plan = await fixture.report(['plan', '--all']);
    const [stack] = plan.stacks;
    // The alarm, and the dashboard that draws its threshold.
    expect(stack.changes!.counts).toMatchObject({ add: 0, change: 2, replace: 0, destroy: 0 });
    expect(stack.changes!.monitoring).toEqual(
      expect.arrayContaining([
        {
          address: expect.any(String),
          kind: 'alarm',
          name: 'orders bounce rate',
          action: 'update',
          changes: [
            { attribute: 'threshold', before: '2.5%', after: '1%', plain: true },
            {
              attribute: 'description',
              before: 'SES bounce rate of configuration set orders reached 2.5%.',
              after: 'SES bounce rate of configuration set orders reached 1%.',
            },
          ],
        },
        expect.objectContaining({
          kind: 'dashboard',
          name: 'sesform-shop-eu-west-1',
          action: 'update',
          changes: [{ attribute: 'widgets regenerated', before: '3', after: '3', plain: true }],
        }),
      ]),
    );
    const text = await fixture.run(['plan', '--all']);
    expect(text.stdout).toContain('~ alarm orders bounce rate: update in place; threshold 2.5% -> 1%');
    expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
    const alarms = await alarmsOf(cloudWatch, 'sesform-shop-');
    expect(alarms['sesform-shop-orders-bounce-rate'].Threshold).toBe(0.01);
  });

  test('drift catches an alarm changed outside Terraform', async () => {
    const alarm = (await alarmsOf(cloudWatch, 'sesform-shop-orders-bounces'))['sesform-shop-orders-bounces'];
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.AlarmName,
        Namespace: alarm.Namespace,
        MetricName: alarm.MetricName,
        Dimensions: alarm.Dimensions,
        Statistic: alarm.Statistic,
        Period: alarm.Period,
        EvaluationPeriods: alarm.EvaluationPeriods,
        ComparisonOperator: alarm.ComparisonOperator,
        TreatMissingData: alarm.TreatMissingData,
        AlarmActions: alarm.AlarmActions,
        OKActions: alarm.OKActions,
        AlarmDescription: alarm.AlarmDescription,
        Threshold: 500,
      }),
    );
    const drift = await fixture.report(['drift', '--all']);
    expect(drift.exitCode).toBe(2);
    expect(drift.stacks[0].drift!.resources).toEqual([
      expect.objectContaining({
        kind: 'alarm',
        name: 'orders bounces',
        change: 'changed',
        diff: expect.objectContaining({
          changes: [{ attribute: 'threshold', before: '5', after: '500', plain: true }],
        }),
      }),
    ]);
    const text = await fixture.run(['drift', '--all']);
    expect(text.stdout).toContain(
      '! alarm orders bounces was changed outside Terraform: threshold declared 5, account 500',
    );
  });

  test("an alarm's state change reaches its topic, and clearing it too", async () => {
    const topicArn = `arn:aws:sns:eu-west-1:${ACCOUNT}:sesform-shop-ses-alarms`;
    const received = async () => {
      const response = await fetch(
        `${fixture.emulator.endpoint}/_sesform/notifications?topic=${encodeURIComponent(topicArn)}`,
      );
      return ((await response.json()) as { Notifications: { Subject: string; Message: string }[] }).Notifications;
    };
    expect(await received()).toEqual([]);
    await cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: 'sesform-shop-orders-bounce-rate',
        StateValue: 'ALARM',
        StateReason: 'test',
      }),
    );
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'sesform-shop-orders-bounce-rate', StateValue: 'OK', StateReason: 'test' }),
    );
    const notifications = await received();
    expect(notifications.map((entry) => entry.Subject)).toEqual([
      'ALARM: "sesform-shop-orders-bounce-rate" in EU (Ireland)',
      'OK: "sesform-shop-orders-bounce-rate" in EU (Ireland)',
    ]);
    expect(JSON.parse(notifications[0].Message)).toMatchObject({
      AlarmName: 'sesform-shop-orders-bounce-rate',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Trigger: { MetricName: 'Reputation.BounceRate', Namespace: 'AWS/SES', Threshold: 0.01 },
    });
  });

  test('the reputation rates the alarms watch are published when mail bounces', async () => {
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.org' }));
    const send = (to: string) =>
      ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.org',
          Destination: { ToAddresses: [to] },
          ConfigurationSetName: 'orders',
          Content: { Simple: { Subject: { Data: 'Order' }, Body: { Text: { Data: 'Thanks' } } } },
        }),
      );
    // 1 bounce of 4 recipients: 25%; no complaint.
    for (const to of ['success', 'success', 'success', 'bounce']) await send(`${to}@simulator.amazonses.com`);
    const end = new Date(Date.now() + 120_000);
    const { MetricDataResults = [] } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 3_600_000),
        EndTime: end,
        MetricDataQueries: ['Reputation.BounceRate', 'Reputation.ComplaintRate'].map((metric, index) => ({
          Id: `r${index}`,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SES',
              MetricName: metric,
              Dimensions: [{ Name: 'ses:configuration-set', Value: 'orders' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      }),
    );
    expect(Math.max(...MetricDataResults[0].Values!)).toBe(0.25);
    expect(Math.max(...MetricDataResults[1].Values!)).toBe(0);
  });
});
