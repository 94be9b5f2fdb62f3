/**
 * The metric cost model: every unique combination of event type and dimension values is a billed
 * CloudWatch custom metric, so a destination with event types E and dimensions d1..dn can create up to
 * |E| x (values(d1) + 1) x ... x (values(dn) + 1) metrics (each dimension also has its default value).
 * Totals per configuration set, stack, environment and account; cost through the tiers, per account.
 */
import { CloudWatchDimensionSource, SES_AUTO_TAGS, SesAutoTag } from '../../modules/ses-enums';
import { expandDimensionSets } from '../../modules/dimension-sets';
import { normaliseEventTypes, parseDimensionSource } from '../../modules/ses-rules';
import { formatPath } from '../../modules/ses-validation-error';
import type { LoadedEnvironment } from '../environment/loader';
import type { Problem } from '../environment/problems';
import { stackName } from '../environment/stack-naming';
import { monthlyCustomMetricCost } from './cloudwatch-prices';

/** The estimate for a dimension that declares no `expectedValues` and is no auto-tag. */
export const DEFAULT_EXPECTED_VALUES = 10;

/**
 * Estimates for SES's auto-tags; `sets` means the number of configuration sets in the environment.
 * Override any of them with `expectedValues`.
 */
export const AUTO_TAG_EXPECTED_VALUES: Readonly<Record<SesAutoTag, number | 'sets'>> = {
  'ses:configuration-set': 'sets',
  'ses:caller-identity': 20,
  'ses:from-domain': 50,
  'ses:source-ip': 100,
  'ses:outgoing-ip': 50,
  'ses:source-tls-version': 3,
  'ses:outgoing-tls-version': 3,
};

/** Auto-tags whose values grow with senders, domains or addresses. */
export const HIGH_CARDINALITY_AUTO_TAGS: readonly SesAutoTag[] = [
  'ses:from-domain',
  'ses:source-ip',
  'ses:outgoing-ip',
  'ses:caller-identity',
];

export interface DimensionEstimate {
  readonly name: string;
  /** Distinct values including the default value. */
  readonly values: number;
  readonly basis: 'declared' | 'auto-tag' | 'default';
}

export interface DestinationCost {
  readonly stack: string;
  readonly configurationSet: string;
  /** The destination as SES will hold it (expanded from dimension sets where declared). */
  readonly destination: string;
  readonly enabled: boolean;
  readonly eventTypes: number;
  readonly dimensions: readonly DimensionEstimate[];
  /** Up to this many custom metrics; 0 for a disabled destination, which publishes nothing. */
  readonly metrics: number;
}

export interface StackCost {
  readonly stack: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly destinations: readonly DestinationCost[];
  readonly metrics: number;
  /** This stack's share of its account's tiered cost, in proportion to its metrics. */
  readonly monthlyUsd: number;
}

export interface AccountCost {
  readonly accountId: string;
  readonly metrics: number;
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

const isAutoTag = (name: string): name is SesAutoTag => (SES_AUTO_TAGS as readonly string[]).includes(name);

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** The metric formula of a destination, for messages: "3 event types x campaign 101 x link 11". */
export function describeMetrics(cost: DestinationCost): string {
  const factors = cost.dimensions.map((dimension) => `${dimension.name} ${formatCount(dimension.values)}`);
  return `${cost.eventTypes} event type(s) x ${factors.join(' x ')}`;
}

/**
 * The estimate for a dimension without `expectedValues`: an auto-tag's documented figure (`sets`
 * configuration sets for ses:configuration-set), else the default; the default value included.
 */
export function undeclaredEstimate(name: string, sets: number): DimensionEstimate {
  if (!isAutoTag(name)) return { name, values: DEFAULT_EXPECTED_VALUES + 1, basis: 'default' };
  const estimate = AUTO_TAG_EXPECTED_VALUES[name];
  return { name, values: (estimate === 'sets' ? sets : estimate) + 1, basis: 'auto-tag' };
}

export function costOf(environments: readonly LoadedEnvironment[]): CostReport {
  const warnings: Problem[] = [];
  const stacks: StackCost[] = [];
  for (const { file, environment } of environments) {
    const setCount = environment.configurationSets.length;
    const estimates = environment.configurationSets.map((set, setIndex) =>
      set.eventDestinations.map((destination, destinationIndex) => {
        const at = (...rest: (string | number)[]) =>
          formatPath(['configurationSets', setIndex, 'eventDestinations', destinationIndex, ...rest]);
        return destination.cloudWatch.dimensions.map((dimension, dimensionIndex): DimensionEstimate => {
          const where = at('cloudWatch', 'dimensions', dimensionIndex);
          const source = parseDimensionSource(dimension.source);
          if (isAutoTag(dimension.name) && HIGH_CARDINALITY_AUTO_TAGS.includes(dimension.name))
            warnings.push({
              file,
              path: where,
              message: `${dimension.name} is a high-cardinality auto-tag: every distinct value is another metric per event type (estimated ${dimension.expectedValues ?? AUTO_TAG_EXPECTED_VALUES[dimension.name]} values; set expectedValues to your own figure).`,
            });
          if (dimension.expectedValues !== undefined)
            return { name: dimension.name, values: dimension.expectedValues + 1, basis: 'declared' };
          const estimate = undeclaredEstimate(dimension.name, setCount);
          if (estimate.basis === 'auto-tag') return estimate;
          const freeForm =
            source === CloudWatchDimensionSource.EMAIL_HEADER
              ? ' A free-form header can take as many values as senders write into it.'
              : '';
          warnings.push({
            file,
            path: where,
            message: `dimension "${dimension.name}" has no expectedValues: the cost estimate assumes ${DEFAULT_EXPECTED_VALUES} distinct values plus the default.${freeForm}`,
          });
          return estimate;
        });
      }),
    );
    warnings.push(...queryWarnings(file, environment));

    for (const region of environment.regions) {
      const stack = stackName(environment.name, region);
      const destinations = environment.configurationSets.flatMap((set, setIndex) =>
        set.eventDestinations.flatMap((destination, destinationIndex) => {
          const dimensionEstimates = estimates[setIndex][destinationIndex];
          const expanded = destination.cloudWatch.dimensionSets
            ? expandDimensionSets(destination.name, dimensionEstimates, destination.cloudWatch.dimensionSets)
            : [{ name: destination.name, dimensions: dimensionEstimates }];
          const enabled = destination.enabled ?? true;
          const eventTypes = normaliseEventTypes(destination.eventTypes).length;
          return expanded.map((entry): DestinationCost => ({
            stack,
            configurationSet: set.name,
            destination: entry.name,
            enabled,
            eventTypes,
            dimensions: entry.dimensions,
            metrics: enabled
              ? entry.dimensions.reduce((product, dimension) => product * dimension.values, eventTypes)
              : 0,
          }));
        }),
      );
      const metrics = destinations.reduce((sum, destination) => sum + destination.metrics, 0);
      stacks.push({
        stack,
        environment: environment.name,
        accountId: environment.accountId,
        region,
        destinations,
        metrics,
        monthlyUsd: 0,
      });
    }
  }

  const accounts = [...new Set(stacks.map((stack) => stack.accountId))].map((accountId): AccountCost => {
    const metrics = stacks
      .filter((stack) => stack.accountId === accountId)
      .reduce((sum, stack) => sum + stack.metrics, 0);
    return { accountId, metrics, monthlyUsd: monthlyCustomMetricCost(metrics) };
  });
  const priced = stacks.map((stack) => {
    const account = accounts.find((candidate) => candidate.accountId === stack.accountId)!;
    const share = account.metrics === 0 ? 0 : stack.metrics / account.metrics;
    return { ...stack, monthlyUsd: Math.round(account.monthlyUsd * share * 100) / 100 };
  });
  return { stacks: priced, accounts, warnings, overBudget: budgetProblems(environments, priced) };
}

/** A declared query needs a destination whose dimensions are exactly the queried ones. */
function queryWarnings(file: string, environment: LoadedEnvironment['environment']): Problem[] {
  return environment.configurationSets.flatMap((set, setIndex) => {
    const published = set.eventDestinations.flatMap((destination) =>
      (
        destination.cloudWatch.dimensionSets ?? [destination.cloudWatch.dimensions.map((dimension) => dimension.name)]
      ).map((names) => [...names].sort().join(', ')),
    );
    return set.eventDestinations.flatMap((destination, destinationIndex) =>
      (destination.cloudWatch.queries ?? []).flatMap((query, queryIndex) => {
        if (published.includes([...query].sort().join(', '))) return [];
        return [
          {
            file,
            path: formatPath([
              'configurationSets',
              setIndex,
              'eventDestinations',
              destinationIndex,
              'cloudWatch',
              'queries',
              queryIndex,
            ]),
            message: `no destination of "${set.name}" publishes exactly [${query.join(', ')}], and CloudWatch cannot filter a metric with several dimensions by some of them alone: add dimensionSets: [[${query.map((name) => JSON.stringify(name)).join(', ')}], ...] to publish it separately.`,
          },
        ];
      }),
    );
  });
}

function budgetProblems(environments: readonly LoadedEnvironment[], stacks: readonly StackCost[]): Problem[] {
  return environments.flatMap(({ file, environment }) => {
    const { budgets } = environment;
    if (budgets === undefined) return [];
    const own = stacks.filter((stack) => stack.environment === environment.name);
    const metrics = own.reduce((sum, stack) => sum + stack.metrics, 0);
    const monthlyUsd = Math.round(own.reduce((sum, stack) => sum + stack.monthlyUsd, 0) * 100) / 100;
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
        message: `environment "${environment.name}" can cost up to ${monthlyUsd.toFixed(2)} USD a month in custom metrics, over its budget of ${budgets.maxMonthlyUsd.toFixed(2)} USD.${culprit}`,
      });
    return found;
  });
}
