/**
 * A stack's plan in SES terms: which configuration sets and destinations change and how, which event
 * types and dimensions come and go, and how many CloudWatch custom metrics the destinations can
 * create before and after (estimated with the cost model's dimension figures).
 */
import { StackCost, undeclaredEstimate } from '../cost/cost-model';
import type { PlanJson, ResourceChangeJson } from '../terraform/stack-workspace';

export type ResourceAction = 'create' | 'update' | 'replace' | 'delete' | 'import';

export interface ResourceCounts {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly import: number;
}

export interface SetChange {
  readonly name: string;
  readonly action: ResourceAction;
  /** Attribute paths that differ, for updates and replacements. */
  readonly attributes: readonly string[];
}

export interface DestinationChange {
  readonly configurationSet: string;
  readonly name: string;
  readonly action: ResourceAction;
  readonly attributes: readonly string[];
  readonly eventTypesAdded: readonly string[];
  readonly eventTypesRemoved: readonly string[];
  readonly dimensionsAdded: readonly string[];
  readonly dimensionsRemoved: readonly string[];
  readonly metricsBefore: number;
  readonly metricsAfter: number;
}

export interface StackChanges {
  readonly counts: ResourceCounts;
  readonly configurationSets: readonly SetChange[];
  readonly destinations: readonly DestinationChange[];
  /** Custom metrics all of the stack's destinations can create, before and after the plan. */
  readonly metrics: { readonly before: number; readonly after: number };
}

const SET_TYPE = 'aws_sesv2_configuration_set';
const DESTINATION_TYPE = 'aws_sesv2_configuration_set_event_destination';

type Values = Record<string, unknown>;
const first = (value: unknown): Values => ((value as Values[] | undefined)?.[0] ?? {}) as Values;

/** The one word for Terraform's action list; undefined for no-ops and reads. */
export function actionOf({ change }: ResourceChangeJson): ResourceAction | undefined {
  const actions = change.actions.join(',');
  if (actions === 'delete,create' || actions === 'create,delete') return 'replace';
  if (actions === 'create' || actions === 'delete' || actions === 'update') return actions;
  if (change.importing) return 'import';
  return undefined;
}

/** Paths of the attributes that differ between two values (`event_destination.matching_event_types`). */
export function changedAttributes(before: unknown, after: unknown, prefix = ''): string[] {
  // The provider reads an unset map or list back as empty: not a difference anyone made.
  const isEmpty = (value: unknown) =>
    value === null ||
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && Object.keys(value).length === 0);
  if (JSON.stringify(before) === JSON.stringify(after) || (isEmpty(before) && isEmpty(after))) return [];
  const isObject = (value: unknown): value is Values =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  const single = (value: unknown) =>
    Array.isArray(value) && value.length === 1 && isObject(value[0]) ? value[0] : value;
  const [left, right] = [single(before), single(after)];
  if (!isObject(left) || !isObject(right)) return [prefix || '(value)'];
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
  return keys.flatMap((key) => changedAttributes(left[key], right[key], prefix ? `${prefix}.${key}` : key));
}

interface DestinationValues {
  readonly enabled: boolean;
  readonly eventTypes: string[];
  readonly dimensions: string[];
}

function destinationValues(values: Values | null): DestinationValues {
  if (values === null) return { enabled: false, eventTypes: [], dimensions: [] };
  const destination = first(values.event_destination);
  const dimensions = (first(destination.cloud_watch_destination).dimension_configuration ?? []) as Values[];
  return {
    enabled: destination.enabled === true,
    eventTypes: [...((destination.matching_event_types ?? []) as string[])].sort(),
    dimensions: dimensions.map((dimension) => String(dimension.dimension_name)),
  };
}

/**
 * Distinct values (default included) of a dimension: the cost model's figure for this destination's
 * dimension, else for the same dimension elsewhere in the stack, else the cost model's defaults.
 */
function valuesEstimator(cost: StackCost | undefined) {
  const sets = new Set(cost?.destinations.map((destination) => destination.configurationSet)).size;
  return (destination: string, dimension: string): number => {
    const own = cost?.destinations.find((candidate) => candidate.destination === destination);
    const found =
      own?.dimensions.find((estimate) => estimate.name === dimension) ??
      cost?.destinations.flatMap((candidate) => candidate.dimensions).find((estimate) => estimate.name === dimension);
    return found?.values ?? undeclaredEstimate(dimension, Math.max(sets, 1)).values;
  };
}

function metricsOf(
  name: string,
  values: DestinationValues,
  estimate: (destination: string, dimension: string) => number,
) {
  if (!values.enabled || values.eventTypes.length === 0) return 0;
  return values.dimensions.reduce(
    (product, dimension) => product * estimate(name, dimension),
    values.eventTypes.length,
  );
}

const without = (items: readonly string[], removed: readonly string[]) =>
  items.filter((item) => !removed.includes(item));

/** What a plan does to one stack; `cost` is the stack's entry in the cost model of the declared environments. */
export function stackChanges(plan: PlanJson, cost?: StackCost): StackChanges {
  const counts = { add: 0, change: 0, replace: 0, destroy: 0, import: 0 };
  const configurationSets: SetChange[] = [];
  const destinations: DestinationChange[] = [];
  const estimate = valuesEstimator(cost);
  for (const resource of plan.resource_changes ?? []) {
    const action = actionOf(resource);
    if (resource.change.importing) counts.import++;
    if (action === undefined) continue;
    if (action === 'create') counts.add++;
    if (action === 'update') counts.change++;
    if (action === 'replace') counts.replace++;
    if (action === 'delete') counts.destroy++;
    const { before, after } = resource.change;
    const values = (after ?? before ?? {}) as Values;
    const attributes =
      action === 'update' || action === 'replace' || action === 'import' ? changedAttributes(before, after) : [];
    if (resource.type === SET_TYPE)
      configurationSets.push({ name: String(values.configuration_set_name), action, attributes });
    if (resource.type === DESTINATION_TYPE) {
      const name = String(values.event_destination_name);
      const [old, next] = [destinationValues(before), destinationValues(after)];
      destinations.push({
        configurationSet: String(values.configuration_set_name),
        name,
        action,
        attributes,
        eventTypesAdded: without(next.eventTypes, old.eventTypes),
        eventTypesRemoved: without(old.eventTypes, next.eventTypes),
        dimensionsAdded: without(next.dimensions, old.dimensions),
        dimensionsRemoved: without(old.dimensions, next.dimensions),
        metricsBefore: metricsOf(name, old, estimate),
        metricsAfter: metricsOf(name, next, estimate),
      });
    }
  }
  const after = cost?.metrics ?? destinations.reduce((sum, destination) => sum + destination.metricsAfter, 0);
  const delta = destinations.reduce(
    (sum, destination) => sum + destination.metricsAfter - destination.metricsBefore,
    0,
  );
  return { counts, configurationSets, destinations, metrics: { before: after - delta, after } };
}

export function hasChanges({ counts }: StackChanges): boolean {
  return counts.add + counts.change + counts.replace + counts.destroy + counts.import > 0;
}

/** One resource changed outside Terraform, from the plan's `resource_drift`. */
export interface DriftedResource {
  readonly address: string;
  /** "configuration set", "event destination", or the Terraform type. */
  readonly kind: string;
  readonly name: string;
  /** `deleted`: gone from AWS; `changed`: the listed attributes differ from the state. */
  readonly change: 'changed' | 'deleted';
  readonly attributes: readonly string[];
}

function describeResource(resource: ResourceChangeJson): { kind: string; name: string } {
  const values = (resource.change.before ?? resource.change.after ?? {}) as Values;
  if (resource.type === SET_TYPE) return { kind: 'configuration set', name: String(values.configuration_set_name) };
  if (resource.type === DESTINATION_TYPE)
    return {
      kind: 'event destination',
      name: `${String(values.configuration_set_name)}/${String(values.event_destination_name)}`,
    };
  return { kind: resource.type, name: resource.address };
}

export function driftedResources(plan: PlanJson): DriftedResource[] {
  return (plan.resource_drift ?? []).flatMap((resource): DriftedResource[] => {
    const deleted = resource.change.after === null;
    const attributes = deleted ? [] : changedAttributes(resource.change.before, resource.change.after);
    if (!deleted && attributes.length === 0) return [];
    return [
      { address: resource.address, ...describeResource(resource), change: deleted ? 'deleted' : 'changed', attributes },
    ];
  });
}
