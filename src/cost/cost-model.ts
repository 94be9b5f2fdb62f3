/**
 * The metric cost report: the fleet model's metric estimates (metric-estimate.ts) per stack,
 * environment and account, priced through the tiers per account, with the warnings about estimates
 * and the budgets.
 */
import { ruleOf } from '../../modules/publishing-rules';
import {
  CloudWatchDimensionSource,
  EVENT_TYPE_V1_SPELLING,
  EmailSendingEvent,
  isAutoTag,
} from '../../modules/ses-enums';
import { normaliseEventTypes, parseDimensionSource } from '../../modules/ses-rules';
import { formatPath } from '../../modules/ses-validation-error';
import { DESTINATION_KIND_NAMES } from '../../modules/event-targets';
import type { Environment } from '../environment/schema';
import type { Problem } from '../environment/problems';
import type { Fleet, FleetDestination, FleetStack } from '../fleet/fleet';
import { monthlyAlarmCost, monthlyCustomMetricCost, monthlyDashboardCost } from './cloudwatch-prices';
import { formatCount, formatUsd } from '../format';
import { cents, share } from './money';
import {
  DEFAULT_EXPECTED_VALUES,
  DimensionEstimate,
  EventTypeMetrics,
  HIGH_CARDINALITY_AUTO_TAGS,
  autoTagEstimate,
  metricsByEventType,
} from '../fleet/metric-estimate';

export interface DestinationCost {
  readonly stack: string;
  readonly configurationSet: string;
  /** The destination as SES will hold it (expanded from dimension sets where declared). */
  readonly destination: string;
  readonly enabled: boolean;
  readonly eventTypes: readonly EmailSendingEvent[];
  readonly dimensions: readonly DimensionEstimate[];
  /** The terms of the sum: per event type, each dimension's values on it and their product. */
  readonly byEventType: readonly EventTypeMetrics[];
  /** Up to this many custom metrics (the sum of byEventType); 0 for a disabled destination, which publishes nothing. */
  readonly metrics: number;
}

export interface StackCost {
  readonly stack: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  /** The CloudWatch destinations: the only ones that create custom metrics. */
  readonly destinations: readonly DestinationCost[];
  /**
   * SNS, EventBridge, Firehose and Pinpoint destinations, as `set/destination (kind)`: no custom
   * metrics; what those services charge for the events is not in the project's price table.
   */
  readonly unpriced?: readonly string[];
  readonly metrics: number;
  /** Alarms, and the metrics they read (what CloudWatch bills); dashboards. */
  readonly monitoring: MonitoringCount;
  /** This stack's share of its account's custom-metric cost, in proportion to its metrics. */
  readonly metricsUsd: number;
  /** This stack's share of its account's alarm and dashboard cost, in proportion to its alarm metrics and dashboards. */
  readonly monitoringUsd: number;
  /** metricsUsd + monitoringUsd: what budgets compare. */
  readonly monthlyUsd: number;
}

export interface MonitoringCount {
  readonly alarms: number;
  readonly standardAlarmMetrics: number;
  readonly highResolutionAlarmMetrics: number;
  readonly dashboards: number;
}

export interface AccountCost {
  readonly accountId: string;
  readonly metrics: number;
  readonly monitoring: MonitoringCount;
  readonly metricsUsd: number;
  readonly monitoringUsd: number;
  readonly monthlyUsd: number;
}

export interface CostReport {
  readonly stacks: readonly StackCost[];
  readonly accounts: readonly AccountCost[];
  /** Printed, in the JSON and in reports; never silent, never fatal. */
  readonly warnings: readonly Problem[];
  /** Budgets exceeded: guardrail refusals (exit 3). */
  readonly overBudget: readonly Problem[];
}

const eventName = (event: EmailSendingEvent) => EVENT_TYPE_V1_SPELLING[event];

/**
 * The metric formula of a destination, for messages: event types on which every dimension takes the
 * same number of values are grouped, "3 event type(s) x campaign 21 x link 16" when all are alike,
 * else "2 event type(s) (open, subscription) x campaign 21 x link 1 + 1 event type(s) (click) x campaign 21 x link 16".
 */
export function describeMetrics(cost: DestinationCost): string {
  const groups = new Map<string, EventTypeMetrics[]>();
  for (const term of cost.byEventType) {
    const factors = term.factors.map((factor) => `${factor.name} ${formatCount(factor.values)}`).join(' x ');
    groups.set(factors, [...(groups.get(factors) ?? []), term]);
  }
  const parts = [...groups].map(([factors, terms]) => {
    const named = groups.size > 1 ? ` (${terms.map((term) => eventName(term.eventType)).join(', ')})` : '';
    return `${terms.length} event type(s)${named}${factors === '' ? '' : ` x ${factors}`}`;
  });
  return parts.join(' + ');
}

function destinationCost(destination: FleetDestination): DestinationCost {
  return {
    stack: destination.stack,
    configurationSet: destination.configurationSet,
    destination: destination.name,
    enabled: destination.enabled,
    eventTypes: destination.eventTypes,
    dimensions: destination.dimensions.map((dimension) => dimension.estimate),
    byEventType: metricsByEventType(destination.eventTypes, destination.dimensions),
    metrics: destination.metrics,
  };
}

function unpricedOf(stack: FleetStack): { unpriced?: string[] } {
  const unpriced = stack.configurationSets.flatMap((set) =>
    set.destinations
      .filter((destination) => destination.kind !== 'cloudWatch')
      .map(
        (destination) =>
          `${destination.configurationSet}/${destination.name} (${DESTINATION_KIND_NAMES[destination.kind]})`,
      ),
  );
  return unpriced.length > 0 ? { unpriced } : {};
}

const NO_MONITORING: MonitoringCount = {
  alarms: 0,
  standardAlarmMetrics: 0,
  highResolutionAlarmMetrics: 0,
  dashboards: 0,
};

/** What a stack's monitoring adds to the bill: alarms by the metrics they read, dashboards. */
function monitoringCount(stack: FleetStack): MonitoringCount {
  const monitoring = stack.monitoring;
  if (monitoring === undefined) return NO_MONITORING;
  const metricsOf = (highResolution: boolean) =>
    sum(
      monitoring.alarms
        .filter((alarm) => alarm.periodSeconds < 60 === highResolution)
        .map((alarm) => alarm.metrics.length),
    );
  return {
    alarms: monitoring.alarms.length,
    standardAlarmMetrics: metricsOf(false),
    highResolutionAlarmMetrics: metricsOf(true),
    dashboards: monitoring.dashboard ? 1 : 0,
  };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function addCounts(counts: readonly MonitoringCount[]): MonitoringCount {
  return {
    alarms: sum(counts.map((count) => count.alarms)),
    standardAlarmMetrics: sum(counts.map((count) => count.standardAlarmMetrics)),
    highResolutionAlarmMetrics: sum(counts.map((count) => count.highResolutionAlarmMetrics)),
    dashboards: sum(counts.map((count) => count.dashboards)),
  };
}

/** A part of an account's cost in proportion to a stack's share of what the cost is for. */

/**
 * The fleet's metrics, alarms and dashboards per stack and account (as the fleet model resolved
 * them), priced per account (metric tiers and free tiers are per account), each stack carrying its share.
 */
export function costOf(fleet: Fleet): CostReport {
  const counted = fleet.stacks.map((stack) => ({
    stack: stack.name,
    environment: stack.environment.name,
    accountId: stack.accountId,
    region: stack.region,
    destinations: stack.configurationSets.flatMap((set) =>
      set.destinations.filter((destination) => destination.kind === 'cloudWatch').map(destinationCost),
    ),
    ...unpricedOf(stack),
    metrics: stack.metrics,
    monitoring: monitoringCount(stack),
  }));
  const accounts = [...new Set(counted.map((stack) => stack.accountId))].map((accountId): AccountCost => {
    const own = counted.filter((stack) => stack.accountId === accountId);
    const metrics = sum(own.map((stack) => stack.metrics));
    const monitoring = addCounts(own.map((stack) => stack.monitoring));
    const metricsUsd = monthlyCustomMetricCost(metrics);
    const monitoringUsd = cents(
      monthlyAlarmCost(monitoring.standardAlarmMetrics, monitoring.highResolutionAlarmMetrics) +
        monthlyDashboardCost(monitoring.dashboards),
    );
    return { accountId, metrics, monitoring, metricsUsd, monitoringUsd, monthlyUsd: cents(metricsUsd + monitoringUsd) };
  });
  const priced = counted.map((stack): StackCost => {
    const account = accounts.find((candidate) => candidate.accountId === stack.accountId)!;
    const alarmMetrics = (count: MonitoringCount) => count.standardAlarmMetrics + count.highResolutionAlarmMetrics;
    const alarmUsd = monthlyAlarmCost(
      account.monitoring.standardAlarmMetrics,
      account.monitoring.highResolutionAlarmMetrics,
    );
    const metricsUsd = cents(share(account.metricsUsd, stack.metrics, account.metrics));
    const monitoringUsd = cents(
      share(alarmUsd, alarmMetrics(stack.monitoring), alarmMetrics(account.monitoring)) +
        share(
          monthlyDashboardCost(account.monitoring.dashboards),
          stack.monitoring.dashboards,
          account.monitoring.dashboards,
        ),
    );
    return { ...stack, metricsUsd, monitoringUsd, monthlyUsd: cents(metricsUsd + monitoringUsd) };
  });
  const warnings = fleet.environments.flatMap(({ file, environment }) => [
    ...estimateWarnings(file, environment),
    ...queryWarnings(file, environment),
  ]);
  return { stacks: priced, accounts, warnings, overBudget: budgetProblems(fleet, priced) };
}

/** The field of a destination's dimension or query, for locating a warning. */
function cloudWatchField(set: number, destination: number, list: 'dimensions' | 'queries', index: number) {
  return ['configurationSets', set, 'eventDestinations', destination, 'cloudWatch', list, index];
}

/**
 * Dimensions whose values the estimate had to guess, that grow with traffic, or that SES can never
 * fill on the destination's event types: once per declaration, not per region.
 */
function estimateWarnings(file: string, environment: Environment): Problem[] {
  return environment.configurationSets.flatMap((set, setIndex) =>
    set.eventDestinations.flatMap((destination, destinationIndex) => {
      const eventTypes = normaliseEventTypes(destination.eventTypes);
      // SNS, EventBridge, Firehose and Pinpoint destinations publish no metrics.
      return (destination.cloudWatch?.dimensions ?? []).flatMap((dimension, dimensionIndex) => {
        const field = cloudWatchField(setIndex, destinationIndex, 'dimensions', dimensionIndex);
        const warn = (message: string): Problem => ({ file, path: formatPath(field), field, message });
        const source = parseDimensionSource(dimension.source) as CloudWatchDimensionSource;
        const rule = ruleOf({ name: dimension.name, source });
        const found: Problem[] = [];
        if (!eventTypes.some((event) => rule.carriedBy.includes(event)))
          found.push(
            warn(
              `dimension "${dimension.name}" is a ${source === CloudWatchDimensionSource.LINK_TAG ? 'link tag' : 'value'} that reaches ${rule.carriedBy.map(eventName).join(', ')} events only, and this destination publishes none of them: it always takes its default "${dimension.defaultValue}". Add ${rule.carriedBy.map(eventName).join(', ')} to eventTypes, or drop the dimension.`,
            ),
          );
        if (rule.count.kind === 'fixed' && dimension.expectedValues !== undefined)
          found.push(
            warn(
              `expectedValues has no effect on ${dimension.name}: it takes exactly ${rule.count.values} value(s), ${rule.count.why}.`,
            ),
          );
        // Declared expectedValues is the team's own figure: nothing left to warn about.
        if (
          isAutoTag(dimension.name) &&
          HIGH_CARDINALITY_AUTO_TAGS.includes(dimension.name) &&
          dimension.expectedValues === undefined
        )
          found.push(
            warn(
              `${dimension.name} is a high-cardinality auto-tag: every distinct value is another metric per event type (estimated ${autoTagEstimate(dimension.name).values} values, ${autoTagEstimate(dimension.name).why}; set expectedValues to your own figure).`,
            ),
          );
        if (dimension.expectedValues === undefined && !isAutoTag(dimension.name)) {
          const freeForm =
            source === CloudWatchDimensionSource.EMAIL_HEADER
              ? ' A free-form header can take as many values as senders write into it.'
              : '';
          found.push(
            warn(
              `dimension "${dimension.name}" has no expectedValues: the cost estimate assumes ${DEFAULT_EXPECTED_VALUES} distinct values plus the default.${freeForm}`,
            ),
          );
        }
        return found;
      });
    }),
  );
}

/** A declared query needs a destination whose dimensions are exactly the queried ones. */
function queryWarnings(file: string, environment: Environment): Problem[] {
  return environment.configurationSets.flatMap((set, setIndex) => {
    const published = set.eventDestinations.flatMap(({ cloudWatch }) =>
      cloudWatch === undefined
        ? []
        : (cloudWatch.dimensionSets ?? [cloudWatch.dimensions.map((dimension) => dimension.name)]).map((names) =>
            [...names].sort().join(', '),
          ),
    );
    return set.eventDestinations.flatMap((destination, destinationIndex) =>
      (destination.cloudWatch?.queries ?? []).flatMap((query, queryIndex) => {
        if (published.includes([...query].sort().join(', '))) return [];
        const field = cloudWatchField(setIndex, destinationIndex, 'queries', queryIndex);
        return [
          {
            file,
            path: formatPath(field),
            field,
            message: `no destination of "${set.name}" publishes exactly [${query.join(', ')}], and CloudWatch cannot filter a metric with several dimensions by some of them alone: add dimensionSets: [[${query.map((name) => JSON.stringify(name)).join(', ')}], ...] to publish it separately.`,
          },
        ];
      }),
    );
  });
}

function budgetProblems(fleet: Fleet, stacks: readonly StackCost[]): Problem[] {
  return fleet.environments.flatMap(({ file, environment }) => {
    const { budgets } = environment;
    if (budgets === undefined) return [];
    const own = stacks.filter((stack) => stack.environment === environment.name);
    const metrics = own.reduce((sum, stack) => sum + stack.metrics, 0);
    const monthlyUsd = cents(own.reduce((sum, stack) => sum + stack.monthlyUsd, 0));
    const largest = own
      .flatMap((stack) => stack.destinations)
      .reduce<DestinationCost | undefined>(
        (top, destination) => (top === undefined || destination.metrics > top.metrics ? destination : top),
        undefined,
      );
    const culprit =
      largest === undefined
        ? ''
        : ` The largest contributor is ${largest.stack} ${largest.configurationSet}/${largest.destination}: ${formatCount(largest.metrics)} metrics (${describeMetrics(largest)}).`;
    const found: Problem[] = [];
    if (budgets.maxMetrics !== undefined && metrics > budgets.maxMetrics)
      found.push({
        file,
        path: 'budgets.maxMetrics',
        message: `environment "${environment.name}" can publish up to ${formatCount(metrics)} custom metrics, over its budget of ${formatCount(budgets.maxMetrics)}.${culprit}`,
      });
    if (budgets.maxMonthlyUsd !== undefined && monthlyUsd > budgets.maxMonthlyUsd)
      found.push({
        file,
        path: 'budgets.maxMonthlyUsd',
        message: `environment "${environment.name}" can cost up to ${formatUsd(monthlyUsd)} USD a month in custom metrics, alarms and dashboards, over its budget of ${formatUsd(budgets.maxMonthlyUsd)} USD.${culprit}`,
      });
    return found;
  });
}
