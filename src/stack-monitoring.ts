/**
 * A stack's monitoring constructs, from the fleet model's resolution of it (src/fleet/monitoring.ts):
 * the alarm topic and its subscriptions (or an existing topic), each set's reputation and event
 * alarms on the destinations the stack creates, and the dashboard of the stack's region.
 */
import { Construct } from 'constructs';
import { AlarmTopic } from '../modules/alarm-topic';
import { ConfigurationSet } from '../modules/configuration-set';
import { EventAlarm } from '../modules/event-alarm';
import { ReputationAlarms } from '../modules/reputation-alarms';
import { SesDashboard } from '../modules/ses-dashboard';
import type { FleetStack } from './fleet/fleet';
import {
  DASHBOARD_CONSTRUCT_ID,
  FleetMonitoring,
  MONITORING_ID,
  SETS_CONSTRUCT_ID,
  TOPIC_CONSTRUCT_ID,
  monitoringNamePrefix,
  reputationThresholdsOf,
} from './fleet/monitoring';

export function addMonitoring(
  scope: Construct,
  stack: FleetStack,
  monitoring: FleetMonitoring,
  configurationSets: readonly ConfigurationSet[],
  /** Alarm names to import rather than create (from `sesform adopt` or `export`). */
  importAlarms: ReadonlySet<string> = new Set(),
): void {
  const root = new Construct(scope, MONITORING_ID);
  const topicArn =
    monitoring.topic.kind === 'existing'
      ? monitoring.topic.arn
      : new AlarmTopic(root, TOPIC_CONSTRUCT_ID, {
          topicName: monitoring.topic.name,
          subscriptions: monitoring.topic.subscriptions,
        }).topicArn;
  const actions = { alarmActions: [topicArn], ...(monitoring.notifyOk ? { okActions: [topicArn] } : {}) };
  const sets = new Construct(root, SETS_CONSTRUCT_ID);
  const prefix = monitoringNamePrefix(stack.environment.name);
  for (const set of configurationSets) {
    const alarms = monitoring.alarms.filter((alarm) => alarm.configurationSet === set.configurationSetName);
    if (alarms.length === 0) continue;
    const setScope = new Construct(sets, set.configurationSetName);
    const thresholds = reputationThresholdsOf(monitoring, set.configurationSetName);
    if (Object.keys(thresholds).length > 0) {
      const alarmsOfSet = new ReputationAlarms(setScope, 'reputation', {
        configurationSet: set,
        alarmNamePrefix: `${prefix}-${set.configurationSetName}`,
        ...thresholds,
        ...actions,
      });
      for (const resource of [alarmsOfSet.bounceRateAlarm, alarmsOfSet.complaintRateAlarm])
        if (importAlarms.has(resource.alarmNameInput!)) resource.importFrom(resource.alarmNameInput!);
    }
    const eventAlarms = new Construct(setScope, 'alarms');
    for (const alarm of alarms) {
      if (alarm.kind === 'reputation') continue;
      const destination = set.eventDestinations.find((found) => found.eventDestinationName === alarm.destination)!;
      const added = new EventAlarm(eventAlarms, alarm.declaredName!, {
        alarmName: alarm.name,
        destination,
        event: alarm.event!,
        per: alarm.per,
        where: alarm.where,
        threshold: alarm.threshold,
        period: alarm.periodSeconds,
        evaluationPeriods: alarm.evaluationPeriods,
        description: alarm.description,
        ...actions,
      });
      if (importAlarms.has(alarm.name)) added.resource.importFrom(alarm.name);
    }
  }
  if (monitoring.dashboard)
    new SesDashboard(root, DASHBOARD_CONSTRUCT_ID, {
      dashboardName: monitoring.dashboard.name,
      region: stack.region,
      configurationSets: stack.configurationSets.map((set) => ({
        name: set.name,
        reputationMetrics: set.definition.reputationMetrics ?? true,
        reputationThresholds: reputationThresholdsOf(monitoring, set.name),
        // Only CloudWatch destinations publish metrics to draw.
        destinations: set.destinations.filter((destination) => destination.kind === 'cloudWatch'),
      })),
    });
}
