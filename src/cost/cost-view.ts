/**
 * The cost figures a report carries so that its HTML view can draw them without the environment
 * files: each stack's metrics and share of its account's cost, per destination, and the budgets.
 * Every figure is the cost model's (cost-model.ts); nothing here computes a metric count.
 */
import type { Fleet } from '../fleet/fleet';
import { CUSTOM_METRIC_PRICES } from './cloudwatch-prices';
import { CostReport, StackCost, costOf } from './cost-model';

export interface BudgetView {
  readonly environment: string;
  readonly accountId: string;
  readonly maxMetrics?: number;
  readonly maxMonthlyUsd?: number;
}

export interface CostView {
  /** The date of the price table. */
  readonly pricesAsOf: string;
  readonly stacks: readonly StackCost[];
  readonly budgets: readonly BudgetView[];
}

/** The view of `fleet`'s figures; `cost` when the caller has the cost model's report of it already. */
export function costView(fleet: Fleet, cost: CostReport = costOf(fleet)): CostView {
  return {
    pricesAsOf: CUSTOM_METRIC_PRICES.asOf,
    stacks: cost.stacks,
    budgets: fleet.environments.map(({ environment }) => ({
      environment: environment.name,
      accountId: environment.accountId,
      ...(environment.budgets?.maxMetrics !== undefined ? { maxMetrics: environment.budgets.maxMetrics } : {}),
      ...(environment.budgets?.maxMonthlyUsd !== undefined ? { maxMonthlyUsd: environment.budgets.maxMonthlyUsd } : {}),
    })),
  };
}

/** The cost views of several shards as one: their stacks, and each environment's budget once. */
export function mergeCostViews(views: readonly CostView[]): CostView | undefined {
  if (views.length === 0) return undefined;
  const budgets = new Map<string, BudgetView>();
  for (const budget of views.flatMap((view) => view.budgets)) budgets.set(budget.environment, budget);
  return {
    pricesAsOf: views[0].pricesAsOf,
    stacks: views.flatMap((view) => view.stacks),
    budgets: [...budgets.values()],
  };
}
