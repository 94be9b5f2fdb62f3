/**
 * The monitoring of one stack as the fleet model resolves it: the alarm topic (created, or an
 * existing ARN in the stack's region), every alarm with its CloudWatch name, metrics, threshold and
 * Terraform address, and the dashboard. The constructs, the cost model, the plan report and the IAM
 * policy read this; none re-derives names or thresholds.
 */
import type { AlarmSubscription } from '../../modules/alarm-topic';
import {
  DEFAULT_REPUTATION_THRESHOLDS,
  EVENT_ALARM_DEFAULTS,
  REPUTATION_ALARM_DEFAULTS,
  REPUTATION_DIMENSION,
  REPUTATION_METRICS,
  ReputationRate,
  parsePercent,
  reputationAlarmId,
  reputationAlarmName,
  seriesDimensions,
  subscriptionId,
} from '../../modules/alarm-rules';
import { EmailSendingEvent, METRIC_NAMES } from '../../modules/ses-enums';
import { parseDurationSeconds, parseEventType } from '../../modules/ses-rules';
import { alarmThreshold, topicArnIn } from '../environment/monitoring-schema';
import type { ConfigurationSetDefinition, Environment } from '../environment/schema';
import { RESOURCE_TYPES, resourceAddress } from './resource-types';

/** What monitoring reads of a resolved configuration set (the fleet's, before its monitoring is added). */
export interface MonitoredSet {
  readonly name: string;
  readonly definition: ConfigurationSetDefinition;
  readonly destinations: readonly {
    readonly name: string;
    readonly dimensions: readonly { readonly name: string; readonly defaultValue: string }[];
  }[];
}

/** The construct ID under which a stack's monitoring lives. */
export const MONITORING_ID = 'sesform-monitoring';

/** One metric an alarm reads. */
export interface AlarmMetric {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface FleetAlarm {
  /** The CloudWatch alarm name: `sesform-<environment>-<set>-<alarm>`. */
  readonly name: string;
  /** In SES words, for reports: "transactional bounce rate", "transactional hard-bounces". */
  readonly label: string;
  readonly configurationSet: string;
  readonly kind: 'reputation' | 'count' | 'rate';
  /** For reputation alarms: which rate. */
  readonly rate?: ReputationRate;
  /** For event alarms: the name in the environment file. */
  readonly declaredName?: string;
  /** For event alarms: the destination (as SES holds it) and the event types. */
  readonly destination?: string;
  readonly event?: EmailSendingEvent;
  readonly per?: EmailSendingEvent;
  /** As CloudWatch compares: a fraction for reputation and rate alarms, a count otherwise. */
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** The metrics it reads (one, or two for a rate): what CloudWatch bills as alarm metrics. */
  readonly metrics: readonly AlarmMetric[];
  readonly address: string;
  readonly description?: string;
  readonly where?: Readonly<Record<string, string>>;
}

export type FleetAlarmTopic =
  | {
      readonly kind: 'created';
      readonly name: string;
      readonly address: string;
      readonly subscriptions: readonly (AlarmSubscription & { readonly address: string })[];
    }
  | { readonly kind: 'existing'; readonly arn: string };

export interface FleetMonitoring {
  readonly topic: FleetAlarmTopic;
  /** Notify the topic when an alarm clears too. */
  readonly notifyOk: boolean;
  readonly alarms: readonly FleetAlarm[];
  readonly dashboard?: { readonly name: string; readonly address: string };
}

/** Names sesform gives monitoring resources: `sesform-<environment>-...` (the IAM policy scopes to it). */
export function monitoringNamePrefix(environmentName: string): string {
  return `sesform-${environmentName}`;
}

/** A set's reputation alarm thresholds by rate (none when the set has no reputation alarms). */
export function reputationThresholdsOf(
  monitoring: FleetMonitoring,
  configurationSet: string,
): Partial<Record<ReputationRate, number>> {
  return Object.fromEntries(
    monitoring.alarms
      .filter((alarm) => alarm.kind === 'reputation' && alarm.configurationSet === configurationSet)
      .map((alarm) => [alarm.rate!, alarm.threshold]),
  );
}

export const TOPIC_CONSTRUCT_ID = 'alarm-topic';
/** The alarm topic's Terraform address (when sesform creates it); any other topic is a destination's. */
export const ALARM_TOPIC_ADDRESS = resourceAddress(RESOURCE_TYPES.snsTopic, [
  MONITORING_ID,
  TOPIC_CONSTRUCT_ID,
  'Resource',
]);
export const DASHBOARD_CONSTRUCT_ID = 'dashboard';
/** Sets' alarms live under this scope, so that no set name collides with the topic's or dashboard's ID. */
export const SETS_CONSTRUCT_ID = 'sets';

function reputationThresholds(
  environment: Environment,
  set: ConfigurationSetDefinition,
): Record<ReputationRate, number> | undefined {
  const own = set.monitoring?.reputation;
  const shared = environment.monitoring?.reputation;
  if (own === false || (own === undefined && shared === false)) return undefined;
  if (set.reputationMetrics === false) return undefined; // SES publishes no rates for it (refused when asked for)
  const rate = (name: ReputationRate) => {
    const text = (own || undefined)?.[name] ?? (shared || undefined)?.[name];
    return text === undefined ? DEFAULT_REPUTATION_THRESHOLDS[name] : parsePercent(text)!;
  };
  return { bounceRate: rate('bounceRate'), complaintRate: rate('complaintRate') };
}

export function resolveMonitoring(
  environment: Environment,
  region: string,
  sets: readonly MonitoredSet[],
): FleetMonitoring | undefined {
  const monitoring = environment.monitoring;
  if (monitoring === undefined) return undefined;
  const prefix = monitoringNamePrefix(environment.name);
  const topicArn = monitoring.notify?.topicArn;
  const topic: FleetAlarmTopic =
    topicArn === undefined
      ? {
          kind: 'created',
          name: `${prefix}-ses-alarms`,
          address: ALARM_TOPIC_ADDRESS,
          subscriptions: (monitoring.notify?.subscriptions ?? []).map((subscription) => ({
            ...subscription,
            address: resourceAddress(RESOURCE_TYPES.snsSubscription, [
              MONITORING_ID,
              TOPIC_CONSTRUCT_ID,
              subscriptionId(subscription),
            ]),
          })),
        }
      : { kind: 'existing', arn: topicArnIn(topicArn, region) };
  const alarms = sets.flatMap((set) => {
    const scope = [MONITORING_ID, SETS_CONSTRUCT_ID, set.name];
    const found: FleetAlarm[] = [];
    const thresholds = reputationThresholds(environment, set.definition);
    if (thresholds !== undefined)
      for (const rate of Object.keys(REPUTATION_METRICS) as ReputationRate[])
        found.push({
          name: reputationAlarmName(`${prefix}-${set.name}`, rate),
          label: `${set.name} ${rate === 'bounceRate' ? 'bounce' : 'complaint'} rate`,
          configurationSet: set.name,
          kind: 'reputation',
          rate,
          threshold: thresholds[rate],
          periodSeconds: REPUTATION_ALARM_DEFAULTS.periodSeconds,
          evaluationPeriods: REPUTATION_ALARM_DEFAULTS.evaluationPeriods,
          metrics: [{ metricName: REPUTATION_METRICS[rate], dimensions: { [REPUTATION_DIMENSION]: set.name } }],
          address: resourceAddress(RESOURCE_TYPES.metricAlarm, [...scope, 'reputation', reputationAlarmId(rate)]),
        });
    (set.definition.monitoring?.alarms ?? []).forEach((alarm) => {
      const destination = set.destinations.find((candidate) => candidate.name === alarm.destination)!;
      const event = parseEventType(alarm.event)!;
      const per = alarm.per === undefined ? undefined : parseEventType(alarm.per)!;
      const series = seriesDimensions(set.name, destination.dimensions, alarm.where);
      found.push({
        name: `${prefix}-${set.name}-${alarm.name}`,
        label: `${set.name} ${alarm.name}`,
        configurationSet: set.name,
        kind: per === undefined ? 'count' : 'rate',
        declaredName: alarm.name,
        destination: destination.name,
        event,
        ...(per === undefined ? {} : { per }),
        threshold: alarmThreshold(alarm)!,
        periodSeconds:
          alarm.period === undefined ? EVENT_ALARM_DEFAULTS.periodSeconds : parseDurationSeconds(alarm.period)!,
        evaluationPeriods: alarm.evaluationPeriods ?? EVENT_ALARM_DEFAULTS.evaluationPeriods,
        metrics: [event, ...(per === undefined ? [] : [per])].map((type) => ({
          metricName: METRIC_NAMES[type],
          dimensions: series,
        })),
        address: resourceAddress(RESOURCE_TYPES.metricAlarm, [...scope, 'alarms', alarm.name, 'Resource']),
        ...(alarm.description === undefined ? {} : { description: alarm.description }),
        ...(alarm.where === undefined ? {} : { where: alarm.where }),
      });
    });
    return found;
  });
  return {
    topic,
    notifyOk: monitoring.notify?.okActions ?? true,
    alarms,
    ...(monitoring.dashboard === false
      ? {}
      : {
          dashboard: {
            name: `${prefix}-${region}`,
            address: resourceAddress(RESOURCE_TYPES.dashboard, [MONITORING_ID, DASHBOARD_CONSTRUCT_ID, 'Resource']),
          },
        }),
  };
}
