/**
 * The IAM statements monitoring needs, scoped to the names sesform gives its resources
 * (`sesform-<environment>-...`, src/fleet/monitoring.ts): alarms in each region of the environment,
 * its dashboards (account-wide ARNs), and the alarm topic it creates with its subscriptions. The
 * deploy role manages them; the plan role reads them. Environments without monitoring get none.
 */
import type { FleetStack } from '../fleet/fleet';
import { PolicyStatement, TOPIC_ACTIONS, TOPIC_READ_ACTIONS, allowStatement, partitionOf } from './policy-document';

const ALARM_WRITE_ACTIONS = [
  'cloudwatch:PutMetricAlarm',
  'cloudwatch:DeleteAlarms',
  'cloudwatch:DescribeAlarms',
  'cloudwatch:TagResource',
  'cloudwatch:UntagResource',
  'cloudwatch:ListTagsForResource',
];
const ALARM_READ_ACTIONS = ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'];
const DASHBOARD_WRITE_ACTIONS = ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards'];
const DASHBOARD_READ_ACTIONS = ['cloudwatch:GetDashboard'];
const TOPIC_WRITE_ACTIONS = [
  ...TOPIC_ACTIONS,
  'sns:Subscribe',
  'sns:Unsubscribe',
  'sns:GetSubscriptionAttributes',
  'sns:SetSubscriptionAttributes',
];
const TOPIC_SUBSCRIPTION_READ_ACTIONS = [...TOPIC_READ_ACTIONS, 'sns:GetSubscriptionAttributes'];

const partition = (stack: FleetStack) => partitionOf(stack.deployRole.arn);

/** The monitoring statements of a role over `stacks`: `write` for the deploy role, reads for the plan role. */
export function monitoringStatements(stacks: readonly FleetStack[], write: boolean): PolicyStatement[] {
  const watched = stacks.filter((stack) => stack.monitoring !== undefined);
  // Each alarm and dashboard by its exact name: a prefix (`sesform-prod-*`) would also match another
  // environment's names in the same account (`sesform-prod-x-...` of an environment named prod-x).
  const alarms = watched.flatMap((stack) =>
    stack.monitoring!.alarms.map(
      (alarm) => `arn:${partition(stack)}:cloudwatch:${stack.region}:${stack.accountId}:alarm:${alarm.name}`,
    ),
  );
  // Dashboards are global: their ARN has no region.
  const dashboards = watched.flatMap((stack) =>
    stack.monitoring!.dashboard === undefined
      ? []
      : [`arn:${partition(stack)}:cloudwatch::${stack.accountId}:dashboard/${stack.monitoring!.dashboard.name}`],
  );
  const topics = watched.flatMap((stack) => {
    const topic = stack.monitoring!.topic;
    if (topic.kind !== 'created') return [];
    const arn = `arn:${partition(stack)}:sns:${stack.region}:${stack.accountId}:${topic.name}`;
    // A subscription's ARN is the topic's followed by ":<id>".
    return [arn, `${arn}:*`];
  });
  return [
    ...allowStatement(
      write ? 'ManageThisEnvironmentsAlarms' : 'ReadThisEnvironmentsAlarms',
      write ? ALARM_WRITE_ACTIONS : ALARM_READ_ACTIONS,
      alarms,
    ),
    ...allowStatement(
      write ? 'ManageThisEnvironmentsDashboards' : 'ReadThisEnvironmentsDashboards',
      write ? DASHBOARD_WRITE_ACTIONS : DASHBOARD_READ_ACTIONS,
      dashboards,
    ),
    ...allowStatement(
      write ? 'ManageThisEnvironmentsAlarmTopicAndSubscriptions' : 'ReadThisEnvironmentsAlarmTopicAndSubscriptions',
      write ? TOPIC_WRITE_ACTIONS : TOPIC_SUBSCRIPTION_READ_ACTIONS,
      topics,
    ),
  ];
}
