/**
 * What a plan changes in the monthly CloudWatch bill for custom metrics: per stack, per account and
 * for the run, before -> after, from the metric counts the plan report already carries (before: the
 * estimates recorded in each state; after: the fleet model's) priced by the cost model's own rules:
 * the tiers per account (cloudwatch-prices.ts), and a stack's share of its account's cost in
 * proportion to its metrics. Every report (text, Markdown, HTML) reads it from here.
 */
import { monthlyCustomMetricCost } from './cloudwatch-prices';
import { cents, share } from './money';

/** Monthly USD before -> after; before is null when the metrics applied are not known. */
export interface UsdChange {
  readonly before: number | null;
  readonly after: number;
}

export interface AccountPlanCost {
  readonly accountId: string;
  readonly metrics: { readonly before: number | null; readonly after: number };
  readonly usd: UsdChange;
}

export interface PlanCost {
  /** By stack name. */
  readonly stacks: ReadonlyMap<string, UsdChange>;
  readonly accounts: readonly AccountPlanCost[];
  /** The run's custom metrics, before (null when any account's is unknown) -> after. */
  readonly metrics: { readonly before: number | null; readonly after: number };
  readonly total: UsdChange;
}

/** What planCost reads of a stack's report: its account and its metrics before -> after. */
export interface StackMetrics {
  readonly stack: string;
  readonly accountId: string;
  readonly changes?: { readonly metrics: { readonly before: number | null; readonly after: number } };
}

const total = (values: readonly (number | null)[]): number | null =>
  values.some((value) => value === null) ? null : values.reduce<number>((sum, value) => sum + value!, 0);

/**
 * The USD change of the stacks in the report. Accounts are priced over the stacks of this run: a
 * stack of the same account left out of the run (--env, --wave) is not counted in its tier.
 */
export function planCost(stacks: readonly StackMetrics[]): PlanCost {
  const metricsOf = (stack: StackMetrics) => stack.changes?.metrics ?? { before: 0, after: 0 };
  const accountIds = [...new Set(stacks.map((stack) => stack.accountId))];
  const accounts = accountIds.map((accountId): AccountPlanCost => {
    const own = stacks.filter((stack) => stack.accountId === accountId).map(metricsOf);
    const metrics = { before: total(own.map((each) => each.before)), after: total(own.map((each) => each.after))! };
    return {
      accountId,
      metrics,
      usd: {
        before: metrics.before === null ? null : monthlyCustomMetricCost(metrics.before),
        after: monthlyCustomMetricCost(metrics.after),
      },
    };
  });
  const stackCosts = new Map(
    stacks.map((stack): [string, UsdChange] => {
      const account = accounts.find((candidate) => candidate.accountId === stack.accountId)!;
      const { before, after } = metricsOf(stack);
      return [
        stack.stack,
        {
          before:
            before === null || account.usd.before === null || account.metrics.before === null
              ? null
              : cents(share(account.usd.before, before, account.metrics.before)),
          after: cents(share(account.usd.after, after, account.metrics.after)),
        },
      ];
    }),
  );
  const sumOf = (values: readonly (number | null)[]) => {
    const summed = total(values);
    return summed === null ? null : cents(summed);
  };
  return {
    stacks: stackCosts,
    accounts,
    metrics: {
      before: total(accounts.map((account) => account.metrics.before)),
      after: total(accounts.map((account) => account.metrics.after))!,
    },
    total: {
      before: sumOf(accounts.map((account) => account.usd.before)),
      after: sumOf(accounts.map((account) => account.usd.after))!,
    },
  };
}
