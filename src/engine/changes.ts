/**
 * A stack's plan in SES terms, built from Terraform's plan JSON and the fleet model and keyed by
 * resource address: every value of a configuration set or destination that changes, before -> after
 * (event types, dimensions with their source and default value, enabled, set options, tags), and the
 * custom metrics each destination can create, before (the estimate recorded in the state when it was
 * applied) and after (the fleet model's estimate now); alarms, the alarm topic, subscriptions and the
 * dashboard in the same words (monitoring-changes.ts).
 */
import type { DestinationResource, FleetStack } from '../fleet/fleet';
import { ALARM_TOPIC_ADDRESS } from '../fleet/monitoring';
import { METRIC_RECORD_ADDRESS, MetricRecord, parseMetricRecord } from '../fleet/metric-record';
import { RESOURCE_TYPES } from '../fleet/resource-types';
import type { PlanJson, ResourceChangeJson } from '../terraform/runner';
import type {
  DestinationChange,
  DimensionChange,
  DimensionValues,
  DriftedResource,
  MonitoringChange,
  ResourceAction,
  ResourceDiff,
  SetChange,
  StackChanges,
  ValueChange,
} from '../report/change-model';
import { monitoringDiff, monitoringKind, monitoringName } from './monitoring-changes';

type Values = Record<string, unknown>;

/** The one word for Terraform's action list; undefined for no-ops and reads. */
export function actionOf({ change }: ResourceChangeJson): ResourceAction | undefined {
  const actions = change.actions.join(',');
  if (actions === 'delete,create' || actions === 'create,delete') return 'replace';
  if (actions === 'create' || actions === 'delete' || actions === 'update') return actions;
  if (change.importing) return 'import';
  return undefined;
}

// --- values in SES words ---------------------------------------------------------------------------

/** Attribute paths (blocks of one unwrapped) and what SES calls them. */
const LABELS: Readonly<Record<string, string>> = {
  configuration_set_name: 'configuration set name',
  event_destination_name: 'destination name',
  'sending_options.sending_enabled': 'sending enabled',
  'reputation_options.reputation_metrics_enabled': 'reputation metrics',
  'delivery_options.tls_policy': 'tls policy',
  'delivery_options.sending_pool_name': 'sending pool',
  'delivery_options.max_delivery_seconds': 'max delivery seconds',
  'tracking_options.custom_redirect_domain': 'tracking domain',
  'tracking_options.https_policy': 'tracking https policy',
  'suppression_options.suppressed_reasons': 'suppressed reasons',
  'event_destination.enabled': 'enabled',
  'event_destination.sns_destination.topic_arn': 'sns topic',
  'event_destination.event_bridge_destination.event_bus_arn': 'event bus',
  'event_destination.kinesis_firehose_destination.delivery_stream_arn': 'firehose stream',
  'event_destination.kinesis_firehose_destination.iam_role_arn': 'firehose role',
  'event_destination.pinpoint_destination.application_arn': 'pinpoint application',
  'vdm_options.dashboard_options.engagement_metrics': 'vdm engagement metrics',
  'vdm_options.guardian_options.optimized_shared_delivery': 'vdm optimized shared delivery',
};

/** Where a destination publishes: shown when it is created too, since it is what a reviewer checks. */
const TARGET_LABELS = new Set(['sns topic', 'event bus', 'firehose stream', 'firehose role', 'pinpoint application']);

/** Read back by the provider, never declared: not a change anyone made. */
const FOLDED = new Set(['id', 'arn', 'tags_all', 'reputation_options.last_fresh_start']);
/** Lists whose order carries no meaning. */
const UNORDERED = new Set(['suppression_options.suppressed_reasons', 'event_destination.matching_event_types']);
const EVENT_TYPES = 'event_destination.matching_event_types';
const DIMENSIONS = 'event_destination.cloud_watch_destination.dimension_configuration';

const isObject = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** The provider reads an unset block, list or map back as empty: the same as absent. */
const isUnset = (value: unknown) =>
  value === null ||
  value === undefined ||
  (Array.isArray(value) && value.length === 0) ||
  (isObject(value) && Object.keys(value).length === 0);

/** Leaf values by path: blocks (lists of one object) unwrapped, `tags` per key, lists of scalars as leaves. */
function leaves(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (prefix === DIMENSIONS || prefix === EVENT_TYPES) {
    if (!isUnset(value)) into.set(prefix, value);
    return into;
  }
  const unwrapped = Array.isArray(value) && value.length === 1 && isObject(value[0]) ? value[0] : value;
  if (!isObject(unwrapped)) {
    if (!isUnset(unwrapped)) into.set(prefix, UNORDERED.has(prefix) ? [...(unwrapped as string[])].sort() : unwrapped);
    return into;
  }
  for (const [key, child] of Object.entries(unwrapped)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (FOLDED.has(path)) continue;
    if (key === 'tags' && isObject(child)) {
      for (const [tag, tagValue] of Object.entries(child)) into.set(`tag ${tag}`, tagValue);
      continue;
    }
    leaves(child, path, into);
  }
  return into;
}

function dimensionsOf(value: unknown): Map<string, DimensionValues> {
  return new Map(
    ((value ?? []) as Values[]).map((dimension) => [
      String(dimension.dimension_name),
      { source: String(dimension.dimension_value_source), defaultValue: String(dimension.default_dimension_value) },
    ]),
  );
}

/** Every difference between two values of a set or destination resource, in SES words. */
export function resourceDiff(before: Values | null, after: Values | null): ResourceDiff {
  const [left, right] = [leaves(before ?? {}), leaves(after ?? {})];
  const changes: ValueChange[] = [];
  for (const path of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    if (path === EVENT_TYPES || path === DIMENSIONS) continue;
    const [old, next] = [left.get(path), right.get(path)];
    if (JSON.stringify(old) === JSON.stringify(next)) continue;
    changes.push({
      attribute: LABELS[path] ?? path,
      ...(old === undefined ? {} : { before: old }),
      ...(next === undefined ? {} : { after: next }),
    });
  }
  const [oldEvents, newEvents] = [
    (left.get(EVENT_TYPES) ?? []) as string[],
    (right.get(EVENT_TYPES) ?? []) as string[],
  ];
  const [oldDimensions, newDimensions] = [dimensionsOf(left.get(DIMENSIONS)), dimensionsOf(right.get(DIMENSIONS))];
  const dimensions: DimensionChange[] = [];
  for (const [name, old] of oldDimensions) {
    const next = newDimensions.get(name);
    if (next === undefined) dimensions.push({ name, change: 'removed', before: old });
    else if (next.source !== old.source || next.defaultValue !== old.defaultValue)
      dimensions.push({ name, change: 'changed', before: old, after: next });
  }
  for (const [name, next] of newDimensions)
    if (!oldDimensions.has(name)) dimensions.push({ name, change: 'added', after: next });
  return {
    changes,
    eventTypesAdded: newEvents.filter((type) => !oldEvents.includes(type)),
    eventTypesRemoved: oldEvents.filter((type) => !newEvents.includes(type)),
    dimensions,
  };
}

const NO_DIFF: ResourceDiff = { changes: [], eventTypesAdded: [], eventTypesRemoved: [], dimensions: [] };

export function isEmptyDiff(diff: ResourceDiff): boolean {
  return (
    diff.changes.length + diff.eventTypesAdded.length + diff.eventTypesRemoved.length + diff.dimensions.length === 0
  );
}

// --- a stack's plan --------------------------------------------------------------------------------

/** The metric record the state holds before the plan, if any. */
function recordBefore(plan: PlanJson): MetricRecord | undefined {
  const record = (plan.resource_changes ?? []).find((resource) => resource.address === METRIC_RECORD_ADDRESS);
  return parseMetricRecord(record?.change.before?.input);
}

/**
 * What a plan does to one stack. `stack` is the fleet model's stack the plan was made from: it gives
 * each destination's estimate after the plan, by address.
 */
export function stackChanges(plan: PlanJson, stack?: FleetStack): StackChanges {
  const counts = { add: 0, change: 0, replace: 0, destroy: 0, import: 0 };
  const configurationSets: SetChange[] = [];
  const destinations: DestinationChange[] = [];
  const monitoring: MonitoringChange[] = [];
  const recorded = recordBefore(plan);
  const createdFor = destinationResources(stack);
  const estimates = new Map(
    (stack?.configurationSets ?? []).flatMap((set) =>
      set.destinations.map((destination) => [destination.address, destination.metrics]),
    ),
  );
  let recordUpdate: StackChanges['recordUpdate'];
  let existedBefore = false;
  for (const resource of plan.resource_changes ?? []) {
    const isSet = resource.type === RESOURCE_TYPES.configurationSet;
    const isDestination = resource.type === RESOURCE_TYPES.eventDestination;
    const action = actionOf(resource);
    if (resource.address === METRIC_RECORD_ADDRESS) {
      if (action === 'create' || action === 'update') recordUpdate = action;
      continue;
    }
    const created = createdResourceOf(resource, createdFor);
    const monitoringResource = created?.kind ?? monitoringKind(resource.type);
    if (!isSet && !isDestination && monitoringResource === undefined) continue;
    if (resource.change.before !== null && monitoringResource === undefined) existedBefore = true;
    if (resource.change.importing) counts.import++;
    if (action === undefined) continue;
    if (action === 'create') counts.add++;
    if (action === 'update') counts.change++;
    if (action === 'replace') counts.replace++;
    if (action === 'delete') counts.destroy++;
    const { before, after } = resource.change;
    const values = (after ?? before ?? {}) as Values;
    if (monitoringResource !== undefined) {
      const notifiesAccounts = otherAccountsNotified(after, stack?.accountId);
      monitoring.push({
        address: resource.address,
        kind: monitoringResource,
        name: created?.name ?? monitoringName(resource.type, resource.address, values, stack?.monitoring),
        action,
        changes:
          action === 'create' || action === 'delete'
            ? []
            : created
              ? createdResourceDiff(before, after)
              : monitoringDiff(resource.type, before, after),
        ...(notifiesAccounts.length > 0 ? { notifiesAccounts } : {}),
      });
      continue;
    }
    const diff = resourceDiff(before, after);
    // A new or removed resource is all additions or all removals: its option list says nothing more,
    // but where a destination publishes (a topic, a stream) is what a reviewer checks.
    const shown =
      action === 'create' || action === 'delete'
        ? { ...diff, changes: diff.changes.filter((change) => TARGET_LABELS.has(change.attribute)) }
        : diff;
    if (isSet)
      configurationSets.push({
        address: resource.address,
        name: String(values.configuration_set_name),
        action,
        ...shown,
      });
    else
      destinations.push({
        address: resource.address,
        configurationSet: String(values.configuration_set_name),
        name: String(values.event_destination_name),
        action,
        ...shown,
        // Only a CloudWatch destination creates metrics: another kind had none, recorded or not.
        metricsBefore:
          before === null || !publishesMetrics(before)
            ? 0
            : (recorded?.destinations[resource.address]?.metrics ?? null),
        metricsAfter: after === null ? 0 : (estimates.get(resource.address) ?? 0),
        ...(isDisabled(after) ? { disabled: true as const } : {}),
      });
  }
  const recordedTotal =
    recorded === undefined
      ? null
      : Object.values(recorded.destinations).reduce((total, destination) => total + destination.metrics, 0);
  const after = stack?.metrics ?? destinations.reduce((total, destination) => total + destination.metricsAfter, 0);
  const roleAfter = stack?.environment.deployRole.arn;
  const roleChanged =
    recorded?.deployRole !== undefined && roleAfter !== undefined && recorded.deployRole !== roleAfter;
  return {
    counts,
    configurationSets,
    destinations,
    ...(monitoring.length > 0 ? { monitoring } : {}),
    metrics: { before: recordedTotal ?? (existedBefore ? null : 0), after },
    ...(recordUpdate ? { recordUpdate } : {}),
    ...(roleChanged ? { deployRole: { before: recorded.deployRole!, after: roleAfter } } : {}),
  };
}

/**
 * What a plan that changes nothing does (Terraform's `-detailed-exitcode` 0, read without `terraform
 * show`): no resource changes, and the metric record unchanged, so it holds the fleet's estimate.
 */
export function noChanges(stack: FleetStack): StackChanges {
  return {
    counts: { add: 0, change: 0, replace: 0, destroy: 0, import: 0 },
    configurationSets: [],
    destinations: [],
    metrics: { before: stack.metrics, after: stack.metrics },
  };
}

/** A destination resource's `event_destination` block (a one-item list in plan JSON). */
function destinationBlock(values: Values | null): Values | undefined {
  const block = values?.event_destination;
  return (Array.isArray(block) ? block[0] : block) as Values | undefined;
}

/** A destination declared with enabled: false. */
function isDisabled(values: Values | null): boolean {
  return destinationBlock(values)?.enabled === false;
}

/** A destination's values have a CloudWatch block (the only kind that creates custom metrics). */
function publishesMetrics(values: Values): boolean {
  return !isUnset(destinationBlock(values)?.cloud_watch_destination);
}

/** The topics and roles sesform creates for destinations, by address (they are not alarm topics). */
function destinationResources(stack: FleetStack | undefined): Map<string, DestinationResource> {
  return new Map(
    (stack?.configurationSets ?? []).flatMap((set) =>
      set.destinations.flatMap((destination) => destination.resources.map((resource) => [resource.address, resource])),
    ),
  );
}

/** The topic or role a destination has (or had) that `resource` is, if it is one. */
function createdResourceOf(
  resource: ResourceChangeJson,
  createdFor: ReadonlyMap<string, DestinationResource>,
): Pick<DestinationResource, 'kind' | 'name'> | undefined {
  return createdFor.get(resource.address) ?? formerDestinationResource(resource);
}

/**
 * A topic or role a destination had and the files no longer declare (a plan deletes it): the alarm
 * topic has its own fixed address, so any other topic, and any role, is a destination's.
 */
function formerDestinationResource(
  resource: ResourceChangeJson,
): Pick<DestinationResource, 'kind' | 'name'> | undefined {
  const values = (resource.change.before ?? resource.change.after ?? {}) as Values;
  const name = typeof values.name === 'string' ? values.name : resource.address;
  if (resource.type === RESOURCE_TYPES.snsTopic && resource.address !== ALARM_TOPIC_ADDRESS)
    return { kind: 'event topic', name };
  if (resource.type === RESOURCE_TYPES.iamRole) return { kind: 'firehose role', name };
  if (resource.type === RESOURCE_TYPES.iamRolePolicy)
    return { kind: 'firehose role policy', name: typeof values.role === 'string' ? values.role : name };
  return undefined;
}

/** A created topic's or role's changes: its name, and whether its generated policy changes. */
function createdResourceDiff(before: Values | null, after: Values | null): ValueChange[] {
  const [old, next] = [before ?? {}, after ?? {}];
  const changes: ValueChange[] = [];
  if (old.name !== next.name) changes.push({ attribute: 'name', before: old.name, after: next.name });
  for (const field of ['policy', 'assume_role_policy'])
    if (field in old && field in next && canonicalJson(old[field]) !== canonicalJson(next[field]))
      changes.push({ attribute: field.replaceAll('_', ' '), before: 'as applied', after: 'regenerated', plain: true });
  return changes;
}

/** A policy document as text that ignores key order and spacing (AWS reads policies back reordered). */
function canonicalJson(value: unknown): string {
  const sorted = (item: unknown): unknown =>
    Array.isArray(item)
      ? item.map(sorted)
      : isObject(item)
        ? Object.fromEntries(
            Object.keys(item)
              .sort()
              .map((key) => [key, sorted(item[key])]),
          )
        : item;
  try {
    return JSON.stringify(sorted(JSON.parse(String(value))));
  } catch {
    return String(value);
  }
}

/** Accounts other than `own` whose SNS topics an alarm's actions name (a topic shared on purpose). */
function otherAccountsNotified(after: Values | null, own: string | undefined): string[] {
  if (after === null || own === undefined) return [];
  const arns = ['alarm_actions', 'ok_actions', 'insufficient_data_actions'].flatMap((key) =>
    Array.isArray(after[key]) ? (after[key] as unknown[]).map(String) : [],
  );
  const accounts = arns
    .map((arn) => /^arn:[^:]+:sns:[^:]*:(\d{12}):/.exec(arn)?.[1])
    .filter((account) => account !== undefined);
  return [...new Set(accounts)].filter((account) => account !== own).sort();
}

/** The plan changes a set or destination, or the metric record. */
export function hasChanges({ counts, recordUpdate }: StackChanges): boolean {
  return counts.add + counts.change + counts.replace + counts.destroy + counts.import > 0 || recordUpdate !== undefined;
}

// --- drift -----------------------------------------------------------------------------------------

/** One resource changed outside Terraform, from the plan's `resource_drift`. */

function describeResource(
  resource: ResourceChangeJson,
  createdFor: ReadonlyMap<string, DestinationResource>,
  stack?: FleetStack,
): { kind: string; name: string } {
  const values = (resource.change.before ?? resource.change.after ?? {}) as Values;
  const created = createdResourceOf(resource, createdFor);
  if (created !== undefined) return { kind: created.kind, name: created.name };
  const monitoring = monitoringKind(resource.type);
  if (monitoring !== undefined)
    return { kind: monitoring, name: monitoringName(resource.type, resource.address, values, stack?.monitoring) };
  if (resource.type === RESOURCE_TYPES.configurationSet)
    return { kind: 'configuration set', name: String(values.configuration_set_name) };
  if (resource.type === RESOURCE_TYPES.eventDestination)
    return {
      kind: 'event destination',
      name: `${String(values.configuration_set_name)}/${String(values.event_destination_name)}`,
    };
  return { kind: resource.type, name: resource.address };
}

/** What changed outside Terraform; `stack` (the fleet model's) names alarms as plans do. */
export function driftedResources(plan: PlanJson, stack?: FleetStack): DriftedResource[] {
  const createdFor = destinationResources(stack);
  return (plan.resource_drift ?? []).flatMap((resource): DriftedResource[] => {
    const deleted = resource.change.after === null;
    const diff =
      monitoringKind(resource.type) === undefined
        ? resourceDiff(resource.change.before, resource.change.after)
        : {
            ...NO_DIFF,
            changes: monitoringDiff(resource.type, resource.change.before, resource.change.after),
          };
    if (!deleted && isEmptyDiff(diff)) return [];
    return [
      {
        address: resource.address,
        ...describeResource(resource, createdFor, stack),
        change: deleted ? 'deleted' : 'changed',
        diff,
      },
    ];
  });
}
