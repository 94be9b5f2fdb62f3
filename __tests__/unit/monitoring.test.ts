/**
 * Monitoring: the constructs on their own (thresholds, metrics and dimensions from the destinations,
 * refusals of alarms on what a destination does not publish), the environment files' monitoring
 * fields and their errors, the stacks synthesized from them, the cost of alarms and dashboards
 * (checked against figures worked out by hand), plan and drift lines in SES words, and the IAM
 * statements. Each test writes its own environments.
 */
import { App, TerraformStack, Testing } from '../../src/cdk/cdk-core';
import { AlarmTopic } from '../../modules/alarm-topic';
import { ConfigurationSet } from '../../modules/configuration-set';
import { EventAlarm } from '../../modules/event-alarm';
import { ReputationAlarms } from '../../modules/reputation-alarms';
import { SesDashboard } from '../../modules/ses-dashboard';
import { Dimension } from '../../modules/cloudwatch-event-destination';
import { addEnvironmentStacks } from '../../src/app';
import { deployRolePolicy, planRolePolicy } from '../../src/bootstrap/role-policies';
import { costOf } from '../../src/cost/cost-model';
import { changeLines } from '../../src/report/text';
import { driftedResources, stackChanges } from '../../src/engine/changes';
import { loadEnvironments } from '../../src/fleet/loader';
import type { PlanJson } from '../../src/terraform/runner';
import { environmentYaml, readStack, synth, writeFiles } from '../helpers/synth';

type Alarm = Record<string, unknown> & { alarm_name: string };

const alarmsIn = (stack: { parsed: { resource?: Record<string, Record<string, unknown>> } }) =>
  Object.values(stack.parsed.resource?.aws_cloudwatch_metric_alarm ?? {}) as Alarm[];

function orderSet(stack: TerraformStack, reputationMetrics = true) {
  const set = new ConfigurationSet(stack, 'orders', { name: 'orders', reputationMetrics });
  const outcomes = set.addCloudWatchDestination({
    name: 'outcomes',
    eventTypes: ['send', 'delivery', 'bounce'],
    dimensions: [Dimension.autoTag('ses:configuration-set', 'none'), Dimension.messageTag('kind', 'receipt')],
  });
  return { set, outcomes };
}

describe('constructs on their own', () => {
  test('ReputationAlarms: both rates of the set, half of SES review rates by default', () => {
    const stack = synth((scope) => {
      const { set } = orderSet(scope);
      new ReputationAlarms(scope, 'reputation', {
        configurationSet: set,
        alarmNamePrefix: 'shop-orders',
        alarmActions: ['arn:aws:sns:eu-west-1:111111111111:t'],
      });
    });
    const alarms = alarmsIn(stack).sort((a, b) => a.alarm_name.localeCompare(b.alarm_name));
    expect(alarms).toEqual([
      expect.objectContaining({
        alarm_name: 'shop-orders-bounce-rate',
        namespace: 'AWS/SES',
        metric_name: 'Reputation.BounceRate',
        dimensions: { 'ses:configuration-set': 'orders' },
        threshold: 0.025,
        statistic: 'Maximum',
        period: 3600,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        treat_missing_data: 'ignore',
        alarm_actions: ['arn:aws:sns:eu-west-1:111111111111:t'],
      }),
      expect.objectContaining({
        alarm_name: 'shop-orders-complaint-rate',
        metric_name: 'Reputation.ComplaintRate',
        threshold: 0.0005,
      }),
    ]);
  });

  test('ReputationAlarms refuses a set without reputation metrics, and rates outside 0 to 100%', () => {
    expect(() =>
      synth((scope) => {
        const { set } = orderSet(scope, false);
        new ReputationAlarms(scope, 'reputation', { configurationSet: set, alarmNamePrefix: 'p' });
      }),
    ).toThrow(/reputationMetrics: false, so SES publishes no Reputation.BounceRate or Reputation.ComplaintRate/);
    expect(() =>
      synth((scope) => {
        const { set } = orderSet(scope);
        new ReputationAlarms(scope, 'reputation', { configurationSet: set, alarmNamePrefix: 'p', bounceRate: 5 });
      }),
    ).toThrow(/bounceRate: a bounce rate threshold must be above 0% and below 100%; found 500%/);
  });

  test('EventAlarm: a count on the series of every dimension, the set name for ses:configuration-set', () => {
    const stack = synth((scope) => {
      const { outcomes } = orderSet(scope);
      new EventAlarm(scope, 'bounces', { alarmName: 'a', destination: outcomes, event: 'bounce', threshold: 5 });
      new EventAlarm(scope, 'vip', {
        alarmName: 'b',
        destination: outcomes,
        event: 'BOUNCE',
        where: { kind: 'vip' },
        threshold: 1,
        period: '1h',
        evaluationPeriods: 3,
      });
    });
    const [count, vip] = alarmsIn(stack).sort((a, b) => a.alarm_name.localeCompare(b.alarm_name));
    expect(count).toMatchObject({
      metric_name: 'Bounce',
      namespace: 'AWS/SES',
      dimensions: { 'ses:configuration-set': 'orders', kind: 'receipt' },
      statistic: 'Sum',
      period: 300,
      evaluation_periods: 1,
      threshold: 5,
      comparison_operator: 'GreaterThanThreshold',
      treat_missing_data: 'notBreaching',
    });
    expect(vip).toMatchObject({
      dimensions: { 'ses:configuration-set': 'orders', kind: 'vip' },
      period: 3600,
      evaluation_periods: 3,
    });
  });

  test('EventAlarm: a rate is metric math over the same series of both events', () => {
    const stack = synth((scope) => {
      const { outcomes } = orderSet(scope);
      new EventAlarm(scope, 'rate', {
        alarmName: 'r',
        destination: outcomes,
        event: 'bounce',
        per: 'send',
        threshold: 0.03,
      });
    });
    const [alarm] = alarmsIn(stack);
    expect(alarm.threshold).toBe(0.03);
    expect(alarm.metric_name).toBeUndefined();
    const series = { 'ses:configuration-set': 'orders', kind: 'receipt' };
    expect(alarm.metric_query).toEqual([
      {
        id: 'events',
        metric: { metric_name: 'Bounce', namespace: 'AWS/SES', dimensions: series, period: 300, stat: 'Sum' },
        return_data: false,
      },
      {
        id: 'per',
        metric: { metric_name: 'Send', namespace: 'AWS/SES', dimensions: series, period: 300, stat: 'Sum' },
        return_data: false,
      },
      { id: 'rate', expression: 'events / per', label: 'Bounce per Send', return_data: true },
    ]);
  });

  test.each([
    [
      { event: 'complaint' },
      /event: destination "outcomes" does not publish complaint events \(it publishes send, delivery, bounce\)/,
    ],
    [{ event: 'bounce', per: 'open' }, /per: destination "outcomes" does not publish open events/],
    [{ event: 'bounse' }, /event: "bounse" is not an SES event type\. Did you mean "bounce"\?/],
    [
      { event: 'bounce', where: { knd: 'vip' } },
      /where\["knd"\]|where\.knd: destination "outcomes" has no dimension "knd" .* Did you mean "kind"\?/,
    ],
    [{ event: 'bounce', where: { kind: 'v i p' } }, /" " is not allowed/],
    [{ event: 'bounce', period: 90 }, /period: an alarm period must be 10 s, 30 s or a whole number of minutes/],
    [
      { event: 'bounce', period: '10m', evaluationPeriods: 200 },
      /evaluationPeriods: 200 periods of 600 s look back 120000 s; CloudWatch allows at most 86400 s/,
    ],
    [
      { event: 'bounce', per: 'send', threshold: 3 },
      /threshold: a rate threshold must be above 0% and below 100%; found 300%/,
    ],
  ])('EventAlarm refuses %j', (props, message) => {
    expect(() =>
      synth((scope) => {
        const { outcomes } = orderSet(scope);
        new EventAlarm(scope, 'x', {
          alarmName: 'x',
          destination: outcomes,
          threshold: 0.5,
          ...(props as { event: 'bounce' }),
        });
      }),
    ).toThrow(message);
  });

  test('EventAlarm refuses an auto-tag left at its default: SES fills it on every message', () => {
    expect(() =>
      synth((scope) => {
        const set = new ConfigurationSet(scope, 'alerts', { name: 'alerts' });
        const destination = set.addCloudWatchDestination({
          name: 'by-domain',
          eventTypes: ['send'],
          dimensions: [Dimension.autoTag('ses:from-domain', 'unknown')],
        });
        new EventAlarm(scope, 'x', { alarmName: 'x', destination, event: 'send', threshold: 1 });
      }),
    ).toThrow(/SES fills "ses:from-domain" on every message, so the series at its default value never has data/);
  });

  test('AlarmTopic: email and https subscriptions; refuses http, a bad address and a repeat', () => {
    const stack = synth((scope) => {
      new AlarmTopic(scope, 'topic', {
        topicName: 'alerts',
        subscriptions: [
          { protocol: 'email', endpoint: 'oncall@example.com' },
          { protocol: 'https', endpoint: 'https://hooks.example.com/ses' },
        ],
      });
    });
    const subscriptions = Object.values(stack.parsed.resource!.aws_sns_topic_subscription) as Record<string, string>[];
    expect(subscriptions.map((entry) => [entry.protocol, entry.endpoint])).toEqual([
      ['email', 'oncall@example.com'],
      ['https', 'https://hooks.example.com/ses'],
    ]);
    expect(() =>
      synth((scope) => {
        new AlarmTopic(scope, 'topic', {
          topicName: 'alerts',
          subscriptions: [
            { protocol: 'https', endpoint: 'http://hooks.example.com/ses' },
            { protocol: 'email', endpoint: 'not-an-address' },
            { protocol: 'email', endpoint: 'not-an-address' },
          ],
        });
      }),
    ).toThrow(/clear text over http: use https[\s\S]*"not-an-address" is not an email address[\s\S]*is listed twice/);
  });

  test('SesDashboard: every SEARCH names exactly one destination dimension set and one of its event metrics', () => {
    const sets = [
      {
        name: 'orders',
        reputationMetrics: true,
        reputationThresholds: { bounceRate: 0.02 },
        destinations: [
          {
            name: 'outcomes',
            eventTypes: ['complaint', 'SEND'] as const,
            dimensions: [{ name: 'ses:configuration-set' }, { name: 'kind' }],
          },
          { name: 'off', enabled: false, eventTypes: ['open'] as const, dimensions: [{ name: 'campaign' }] },
        ],
      },
      {
        name: 'news',
        reputationMetrics: false,
        destinations: [{ name: 'clicks', eventTypes: ['click'] as const, dimensions: [{ name: 'link' }] }],
      },
    ];
    const widgets = SesDashboard.widgetsOf({ dashboardName: 'd', region: 'eu-west-1', configurationSets: sets });
    const expressions = widgets.flatMap((widget) =>
      ((widget.properties.metrics ?? []) as unknown[][])
        .flat()
        .filter(
          (item): item is { expression: string } => typeof item === 'object' && item !== null && 'expression' in item,
        )
        .map((item) => item.expression),
    );
    expect(expressions).toEqual([
      `SEARCH('{AWS/SES,"ses:configuration-set",kind} MetricName="Send" "ses:configuration-set"="orders"', 'Sum', 300)`,
      `SEARCH('{AWS/SES,"ses:configuration-set",kind} MetricName="Complaint" "ses:configuration-set"="orders"', 'Sum', 300)`,
      '100 * r0',
      '100 * r1',
      `SEARCH('{AWS/SES,link} MetricName="Click"', 'Sum', 300)`,
    ]);
    const reputation = widgets.find((widget) => widget.properties.title === 'orders: reputation (%)')!;
    expect(
      (reputation.properties.annotations as { horizontal: { value: number }[] }).horizontal.map((line) => line.value),
    ).toEqual([2, 5, 0.1]);
    expect(widgets.some((widget) => widget.properties.title === 'news: reputation (%)')).toBe(false);
  });
});

function load(files: Record<string, string>) {
  const { dir, cleanup } = writeFiles(files);
  try {
    return loadEnvironments(dir);
  } finally {
    cleanup();
  }
}

const ACCOUNT = '740000000016';
const SET = `configurationSets:
  - name: orders
    eventDestinations:
      - name: outcomes
        eventTypes: [send, delivery, bounce]
        cloudWatch:
          dimensions: [{ name: kind, source: messageTag, defaultValue: receipt }]
      - name: silent
        enabled: false
        eventTypes: [send]
        cloudWatch:
          dimensions: [{ name: kind, source: messageTag, defaultValue: receipt }]
`;

describe('environment files', () => {
  test.each([
    [
      'an alarm on a destination the set does not have',
      `monitoring: {}\n${SET}    monitoring:\n      alarms: [{ name: b, destination: outcome, event: bounce, threshold: 5 }]\n`,
      'configurationSets[name=orders].monitoring.alarms[name=b].destination',
      /has no CloudWatch destination "outcome" \(it has outcomes, silent\)\. Did you mean "outcomes"\?/,
    ],
    [
      'an alarm on an event the destination does not publish',
      `monitoring: {}\n${SET}    monitoring:\n      alarms: [{ name: b, destination: outcomes, event: complaint, threshold: 5 }]\n`,
      'configurationSets[name=orders].monitoring.alarms[name=b].event',
      /does not publish complaint events/,
    ],
    [
      'an alarm on a disabled destination',
      `monitoring: {}\n${SET}    monitoring:\n      alarms: [{ name: b, destination: silent, event: send, threshold: 5 }]\n`,
      'configurationSets[name=orders].monitoring.alarms[name=b].destination',
      /is disabled \(enabled: false\) and publishes nothing/,
    ],
    [
      'a percentage without per',
      `monitoring: {}\n${SET}    monitoring:\n      alarms: [{ name: b, destination: outcomes, event: bounce, threshold: "3%" }]\n`,
      'configurationSets[name=orders].monitoring.alarms[name=b].threshold',
      /without "per" the threshold is a number of events per period/,
    ],
    [
      'a count with per',
      `monitoring: {}\n${SET}    monitoring:\n      alarms: [{ name: b, destination: outcomes, event: bounce, per: send, threshold: 3 }]\n`,
      'configurationSets[name=orders].monitoring.alarms[name=b].threshold',
      /with "per" the threshold is a rate, written as a percentage such as "3%"/,
    ],
    [
      'set monitoring without the environment block',
      `${SET}    monitoring:\n      alarms: [{ name: b, destination: outcomes, event: bounce, threshold: 5 }]\n`,
      'configurationSets[name=orders].monitoring',
      /add "monitoring: \{\}"/,
    ],
    [
      'reputation thresholds on a set without reputation metrics',
      `monitoring: {}\n${SET}    reputationMetrics: false\n    monitoring:\n      reputation: { bounceRate: "2%" }\n`,
      'configurationSets[name=orders].monitoring.reputation',
      /reputationMetrics: false, so SES publishes no Reputation\.BounceRate/,
    ],
    [
      'a rate written as a fraction',
      `monitoring:\n  reputation: { bounceRate: 0.02 }\n${SET}`,
      'monitoring.reputation.bounceRate',
      /write a rate as a percentage in quotes, such as "2\.5%"/,
    ],
    [
      'a topic in one region for a two-region environment',
      `monitoring:\n  notify: { topicArn: "arn:aws:sns:eu-west-1:${ACCOUNT}:ops" }\n${SET}`.replace('', ''),
      'monitoring.notify.topicArn',
      /CloudWatch alarms notify only topics in their own region .* write "\{region\}"/,
    ],
    [
      'subscriptions on a topic sesform does not own',
      `monitoring:\n  notify:\n    topicArn: "arn:aws:sns:{region}:${ACCOUNT}:ops"\n    subscriptions: [{ email: a@example.com }]\n${SET}`,
      'monitoring.notify.subscriptions',
      /an existing topic \(topicArn\) keeps the subscriptions its owner manages/,
    ],
    [
      'a topic in another account, unless allowed',
      `monitoring:\n  notify: { topicArn: "arn:aws:sns:{region}:999999999999:collector" }\n${SET}`,
      'monitoring.notify.topicArn',
      /the topic is in account 999999999999, not this environment's \(740000000016\): every alarm notification would go to another account\. If that is intended, add "allowCrossAccount: true" under notify/,
    ],
    [
      'an http subscription',
      `monitoring:\n  notify:\n    subscriptions: [{ https: "http://hooks.example.com/x" }]\n${SET}`,
      'monitoring.notify.subscriptions[0]',
      /use https/,
    ],
  ])('refuses %s, naming the file and field', (_what, extra, field, message) => {
    const twoRegions = _what.startsWith('a topic in one region');
    const yaml = environmentYaml('shop', ACCOUNT, extra).replace(
      'regions: [eu-west-1]',
      twoRegions ? 'regions: [eu-west-1, us-east-1]' : 'regions: [eu-west-1]',
    );
    const { problems } = load({ 'shop.yaml': yaml });
    expect(problems).toEqual([expect.objectContaining({ file: expect.stringMatching(/shop\.yaml$/), path: field })]);
    expect(problems[0].message).toMatch(message);
  });

  test('a topic in another account, allowed on purpose, is named on every alarm the plan creates', () => {
    const yaml = environmentYaml(
      'shop',
      ACCOUNT,
      `monitoring:\n  notify: { topicArn: "arn:aws:sns:{region}:999999999999:collector", allowCrossAccount: true }\n${SET}`,
    );
    const { fleet, problems } = load({ 'shop.yaml': yaml });
    expect(problems).toEqual([]);
    const [stack] = fleet.stacks;
    // The alarm as Terraform plans its creation: its actions name the other account's topic.
    const plan: PlanJson = {
      resource_changes: [
        {
          address: 'aws_cloudwatch_metric_alarm.rate',
          type: 'aws_cloudwatch_metric_alarm',
          name: 'rate',
          change: {
            actions: ['create'],
            before: null,
            after: {
              alarm_name: 'sesform-shop-orders-bounce-rate',
              alarm_actions: ['arn:aws:sns:eu-west-1:999999999999:collector'],
              ok_actions: ['arn:aws:sns:eu-west-1:999999999999:collector'],
            },
          },
        },
      ],
    };
    const changes = stackChanges(plan, stack);
    expect(changes.monitoring?.[0].notifiesAccounts).toEqual(['999999999999']);
    expect(changeLines(changes).join('\n')).toContain(
      "notifies a topic in account 999999999999, not this stack's (allowCrossAccount)",
    );
  });

  test('stacks: thresholds per set over the environment over the defaults; an existing topic per region', () => {
    const yaml = environmentYaml(
      'shop',
      ACCOUNT,
      `monitoring:
  reputation: { complaintRate: "0.04%" }
  notify: { topicArn: "arn:aws:sns:{region}:${ACCOUNT}:ops", okActions: false }
  dashboard: false
${SET}    monitoring:
      reputation: { bounceRate: "1.5%" }
      alarms: [{ name: bounces, destination: outcomes, event: bounce, per: send, threshold: "4%", period: 1h }]
  - name: news
    reputationMetrics: false
`,
    ).replace('regions: [eu-west-1]', 'regions: [eu-west-1, us-east-1]');
    const { fleet, problems } = load({ 'shop.yaml': yaml });
    expect(problems).toEqual([]);
    const stacks = addEnvironmentStacks(Testing.app() as App, fleet).map((stack) => readStack(Testing.synth(stack)));
    for (const [index, region] of ['eu-west-1', 'us-east-1'].entries()) {
      const stack = stacks[index];
      const topic = `arn:aws:sns:${region}:${ACCOUNT}:ops`;
      const alarms = Object.fromEntries(alarmsIn(stack).map((alarm) => [alarm.alarm_name, alarm]));
      // news publishes no reputation rates: no alarms for it.
      expect(Object.keys(alarms).sort()).toEqual([
        'sesform-shop-orders-bounce-rate',
        'sesform-shop-orders-bounces',
        'sesform-shop-orders-complaint-rate',
      ]);
      expect(alarms['sesform-shop-orders-bounce-rate']).toMatchObject({ threshold: 0.015, alarm_actions: [topic] });
      expect(alarms['sesform-shop-orders-bounce-rate'].ok_actions).toBeUndefined();
      expect(alarms['sesform-shop-orders-complaint-rate']).toMatchObject({ threshold: 0.0004 });
      expect(alarms['sesform-shop-orders-bounces']).toMatchObject({ threshold: 0.04 });
      expect(stack.count('aws_sns_topic')).toBe(0);
      expect(stack.count('aws_cloudwatch_dashboard')).toBe(0);
    }
  });
});

describe('cost of alarms and dashboards', () => {
  test('alarm metrics and dashboards beyond the free tier, per account, shared by the stacks', () => {
    // Per stack: orders' 2 reputation alarms (1 metric each), a rate alarm (2 metrics), a 30-second
    // count alarm (1 high-resolution metric), and 1 dashboard. Four regions in one account:
    // standard alarm metrics 4 x 4 = 16, 10 free: 6 x 0.10 = 0.60; high-resolution 4 x 0.30 = 1.20;
    // dashboards 4, 3 free: 1 x 3.00 = 3.00. Total 4.80 a month, 1.20 per stack.
    const yaml = environmentYaml(
      'shop',
      ACCOUNT,
      `monitoring: {}
${SET}    monitoring:
      alarms:
        - { name: rate, destination: outcomes, event: bounce, per: send, threshold: "4%" }
        - { name: fast, destination: outcomes, event: bounce, threshold: 10, period: 30 }
`,
    ).replace('regions: [eu-west-1]', 'regions: [eu-west-1, eu-west-2, us-east-1, us-west-2]');
    const { fleet, problems } = load({ 'shop.yaml': yaml });
    expect(problems).toEqual([]);
    const report = costOf(fleet);
    expect(report.accounts).toEqual([
      expect.objectContaining({
        monitoring: { alarms: 16, standardAlarmMetrics: 16, highResolutionAlarmMetrics: 4, dashboards: 4 },
        monitoringUsd: 4.8,
      }),
    ]);
    expect(report.stacks.map((stack) => stack.monitoringUsd)).toEqual([1.2, 1.2, 1.2, 1.2]);
    expect(report.stacks.map((stack) => stack.monthlyUsd - stack.metricsUsd)).toEqual(
      [1.2, 1.2, 1.2, 1.2].map((usd) => expect.closeTo(usd, 2)),
    );
  });
});

describe('plan and drift lines in SES words', () => {
  const alarm = (threshold: number, extra: Record<string, unknown> = {}) => ({
    alarm_name: 'sesform-shop-orders-bounce-rate',
    metric_name: 'Reputation.BounceRate',
    namespace: 'AWS/SES',
    threshold,
    period: 3600,
    dimensions: { 'ses:configuration-set': 'orders' },
    ...extra,
  });
  const plan = (before: unknown, after: unknown): PlanJson =>
    ({
      resource_changes: [
        {
          address: 'aws_cloudwatch_metric_alarm.x',
          type: 'aws_cloudwatch_metric_alarm',
          change: { actions: ['update'], before, after },
        },
        {
          address: 'aws_sns_topic_subscription.y',
          type: 'aws_sns_topic_subscription',
          change: { actions: ['create'], before: null, after: { protocol: 'email', endpoint: 'a@example.com' } },
        },
      ],
      resource_drift: [
        {
          address: 'aws_cloudwatch_metric_alarm.x',
          type: 'aws_cloudwatch_metric_alarm',
          change: { actions: ['update'], before, after: alarm(0.5) },
        },
      ],
    }) as unknown as PlanJson;

  test('a threshold as a percentage for rates; a new subscription by its endpoint; counted', () => {
    const changes = stackChanges(plan(alarm(0.025), alarm(0.01, { period: 300 })));
    expect(changes.counts).toMatchObject({ add: 1, change: 1 });
    expect(changeLines(changes)).toEqual([
      '~ alarm sesform-shop-orders-bounce-rate: update in place; threshold 2.5% -> 1%; period (s) 3600 -> 300',
      '+ subscription email a@example.com: create',
    ]);
  });

  test("a rate alarm's dimensions are its counted event's, whichever order Terraform lists the metric queries in", () => {
    const query = (id: string, metricName: string, dimensions: Record<string, string>) => ({
      id,
      return_data: false,
      metric: [{ metric_name: metricName, namespace: 'ses-events', dimensions, period: 3600, stat: 'Sum' }],
    });
    const events = query('events', 'Bounce', {
      'alert-kind': 'generic',
      'ses:from-domain': 'notifications.example.com',
    });
    const per = query('per', 'Send', { 'alert-kind': 'generic' });
    const rate = { id: 'rate', expression: 'events / per', return_data: true, metric: [] };
    const rateAlarm = (metricQuery: unknown[]) => ({
      alarm_name: 'security-alerts-bounces-per-send',
      threshold: 0.02,
      metric_query: metricQuery,
    });
    // The same alarm, its queries in another order: nothing to report.
    const [reordered] = changeLines(stackChanges(plan(rateAlarm([events, per, rate]), rateAlarm([per, rate, events]))));
    expect(reordered).not.toMatch(/dimension|metrics/);
    const moved = query('events', 'Bounce', { 'alert-kind': 'generic', 'ses:from-domain': 'mail.example.com' });
    expect(changeLines(stackChanges(plan(rateAlarm([per, events, rate]), rateAlarm([rate, per, moved]))))).toContain(
      '~ alarm security-alerts-bounces-per-send: update in place; dimension ses:from-domain "notifications.example.com" -> "mail.example.com"',
    );
  });

  test('drift of an alarm: declared against the account', () => {
    expect(driftedResources(plan(alarm(0.025), alarm(0.025)))).toEqual([
      expect.objectContaining({
        kind: 'alarm',
        name: 'sesform-shop-orders-bounce-rate',
        change: 'changed',
        diff: expect.objectContaining({
          changes: [{ attribute: 'threshold', before: '2.5%', after: '50%', plain: true }],
        }),
      }),
    ]);
  });
});

describe('IAM', () => {
  test('the deploy role manages, the plan role reads, only what sesform names for the environment', () => {
    const yaml = environmentYaml('shop', ACCOUNT, `monitoring: {}\n${SET}`);
    const { fleet } = load({ 'shop.yaml': yaml });
    type Statement = { Sid?: string; Action: string | string[]; Resource?: string[] };
    const statements = (document: { Statement: Statement[] }): Record<string, Statement> =>
      Object.fromEntries(
        document.Statement.filter((entry) => /Alarm|Dashboard/.test(entry.Sid ?? '')).map((entry) => [
          entry.Sid,
          entry,
        ]),
      );
    const topic = `arn:aws:sns:eu-west-1:${ACCOUNT}:sesform-shop-ses-alarms`;
    const deploy = statements(deployRolePolicy(fleet.stacks));
    // Each alarm by its exact name: a prefix would also match an environment named shop-x in this account.
    expect(deploy.ManageThisEnvironmentsAlarms.Resource).toEqual([
      `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:sesform-shop-orders-bounce-rate`,
      `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:sesform-shop-orders-complaint-rate`,
    ]);
    expect(deploy.ManageThisEnvironmentsAlarms.Action).toEqual(
      expect.arrayContaining(['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms']),
    );
    expect(deploy.ManageThisEnvironmentsDashboards.Resource).toEqual([
      `arn:aws:cloudwatch::${ACCOUNT}:dashboard/sesform-shop-eu-west-1`,
    ]);
    expect(deploy.ManageThisEnvironmentsAlarmTopicAndSubscriptions.Resource).toEqual([topic, `${topic}:*`]);
    const plan = statements(planRolePolicy(fleet.stacks));
    const writes = Object.values(plan)
      .flatMap((entry) => [entry.Action].flat())
      .filter((action) => !/:(Describe|Get|List)/.test(action));
    expect(writes).toEqual([]);
    const plain = load({ 'shop.yaml': environmentYaml('shop', ACCOUNT, SET) }).fleet;
    expect(statements(deployRolePolicy(plain.stacks))).toEqual({});
  });
});
