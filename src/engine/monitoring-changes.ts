/**
 * Alarms, the alarm topic, its subscriptions and the dashboard in a plan or drift, in SES words:
 * `alarm transactional bounce rate: threshold 2.5% -> 1.5%`. Rates (reputation and metric-math
 * alarms) are fractions in CloudWatch and percentages here, as in the environment files.
 */
import { EVENTS_QUERY_ID, formatPercent } from '../../modules/alarm-rules';
import type { FleetMonitoring } from '../fleet/monitoring';
import { RESOURCE_TYPES } from '../fleet/resource-types';
import type { MonitoringKind, ValueChange } from '../report/change-model';

type Values = Record<string, unknown>;

const KINDS: Readonly<Record<string, MonitoringKind>> = {
  [RESOURCE_TYPES.metricAlarm]: 'alarm',
  [RESOURCE_TYPES.snsTopic]: 'alarm topic',
  [RESOURCE_TYPES.snsSubscription]: 'subscription',
  [RESOURCE_TYPES.dashboard]: 'dashboard',
};

export function monitoringKind(type: string): MonitoringKind | undefined {
  return KINDS[type];
}

const ALARM_LABELS: Readonly<Record<string, string>> = {
  threshold: 'threshold',
  period: 'period (s)',
  evaluation_periods: 'evaluation periods',
  datapoints_to_alarm: 'datapoints to alarm',
  comparison_operator: 'comparison',
  treat_missing_data: 'missing data',
  statistic: 'statistic',
  metric_name: 'metric',
  namespace: 'namespace',
  alarm_description: 'description',
  alarm_actions: 'alarm actions',
  ok_actions: 'ok actions',
  actions_enabled: 'actions enabled',
  insufficient_data_actions: 'insufficient-data actions',
};
const SUBSCRIPTION_LABELS: Readonly<Record<string, string>> = { protocol: 'protocol', endpoint: 'endpoint' };
/** Read back by the provider, or sesform's own bookkeeping: nothing anyone declared. */
const IGNORED = new Set(['id', 'arn', 'tags_all', 'alarm_name', 'dashboard_name', 'name', 'region', 'owner']);

/** A metric-math or reputation alarm compares a fraction: shown as a percentage. */
function isRateAlarm(values: Values): boolean {
  const query = values.metric_query;
  return String(values.metric_name ?? '').startsWith('Reputation.') || (Array.isArray(query) && query.length > 0);
}

/** The series of a metric-math alarm's counted event (or a single-metric alarm's own), for dimension changes. */
function alarmDimensions(values: Values): Record<string, unknown> {
  if (values.dimensions && typeof values.dimensions === 'object') return values.dimensions as Record<string, unknown>;
  const query = (values.metric_query ?? []) as Values[];
  const withMetric = query.filter((entry) => Array.isArray(entry.metric) && entry.metric.length > 0);
  // metric_query is a set: Terraform lists it in no fixed order, so the counted event is found by its ID.
  const counted = withMetric.find((entry) => entry.id === EVENTS_QUERY_ID) ?? withMetric[0];
  const metric = (counted?.metric ?? []) as Values[];
  return (metric[0]?.dimensions ?? {}) as Record<string, unknown>;
}

function metricNames(values: Values): string[] {
  // In the order of their query IDs: Terraform lists the set of queries in no fixed order.
  const query = [...((values.metric_query ?? []) as Values[])].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return query.flatMap((entry) => ((entry.metric ?? []) as Values[]).map((metric) => String(metric.metric_name)));
}

function widgetCount(body: unknown): number | undefined {
  try {
    return (JSON.parse(String(body)) as { widgets?: unknown[] }).widgets?.length;
  } catch {
    return undefined;
  }
}

function compare(changes: ValueChange[], attribute: string, before: unknown, after: unknown, plain = false): void {
  const absent = (value: unknown) =>
    value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  if (absent(before) && absent(after)) return;
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  changes.push({
    attribute,
    ...(absent(before) ? {} : { before }),
    ...(absent(after) ? {} : { after }),
    ...(plain ? { plain } : {}),
  });
}

/** What differs between two values of a monitoring resource, in SES words. */
export function monitoringDiff(type: string, before: Values | null, after: Values | null): ValueChange[] {
  const [old, next] = [before ?? {}, after ?? {}];
  const changes: ValueChange[] = [];
  const kind = monitoringKind(type);
  if (kind === 'alarm') {
    for (const [field, label] of Object.entries(ALARM_LABELS)) {
      if (field === 'threshold') {
        const show = (values: Values) =>
          values.threshold === undefined || values.threshold === null
            ? undefined
            : isRateAlarm(values)
              ? formatPercent(Number(values.threshold))
              : String(values.threshold);
        compare(changes, label, show(old), show(next), true);
      } else compare(changes, label, old[field], next[field]);
    }
    compare(changes, 'metrics', metricNames(old), metricNames(next));
    const [oldDimensions, newDimensions] = [alarmDimensions(old), alarmDimensions(next)];
    for (const name of [...new Set([...Object.keys(oldDimensions), ...Object.keys(newDimensions)])].sort())
      compare(changes, `dimension ${name}`, oldDimensions[name], newDimensions[name]);
  } else if (kind === 'dashboard') {
    if (old.dashboard_body !== next.dashboard_body && before !== null && after !== null)
      // The body is generated from the destinations and alarm thresholds: its count says enough.
      changes.push({
        attribute: 'widgets regenerated',
        before: String(widgetCount(old.dashboard_body) ?? '?'),
        after: String(widgetCount(next.dashboard_body) ?? '?'),
        plain: true,
      });
  } else if (kind === 'subscription') {
    for (const [field, label] of Object.entries(SUBSCRIPTION_LABELS)) compare(changes, label, old[field], next[field]);
  }
  for (const field of Object.keys({ ...old, ...next }))
    if (field.startsWith('tags') && !IGNORED.has(field)) {
      const [oldTags, newTags] = [(old[field] ?? {}) as Values, (next[field] ?? {}) as Values];
      for (const tag of [...new Set([...Object.keys(oldTags), ...Object.keys(newTags)])].sort())
        compare(changes, `tag ${tag}`, oldTags[tag], newTags[tag]);
    }
  return changes;
}

/** The resource's name in SES words: the fleet's label of an alarm where known, else its AWS name. */
export function monitoringName(
  type: string,
  address: string,
  values: Values,
  monitoring: FleetMonitoring | undefined,
): string {
  const kind = monitoringKind(type);
  if (kind === 'alarm')
    return monitoring?.alarms.find((alarm) => alarm.address === address)?.label ?? String(values.alarm_name ?? address);
  if (kind === 'alarm topic') return String(values.name ?? address);
  if (kind === 'subscription') return `${String(values.protocol ?? '?')} ${String(values.endpoint ?? '?')}`;
  if (kind === 'dashboard') return String(values.dashboard_name ?? address);
  return address;
}
