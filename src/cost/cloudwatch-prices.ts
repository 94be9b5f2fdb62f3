/**
 * CloudWatch custom-metric prices: the one place to update when AWS changes them.
 * Source: Amazon CloudWatch pricing, "Metrics", custom metrics per metric-month, as published on the
 * date below. Metrics that SES publishes through configuration sets are billed as custom metrics.
 */
export const CUSTOM_METRIC_PRICES = {
  asOf: '2026-11-27',
  currency: 'USD',
  /** Marginal tiers, per metric-month; applied per account. */
  tiers: [
    { firstMetric: 1, lastMetric: 10_000, usdPerMetric: 0.3 },
    { firstMetric: 10_001, lastMetric: 250_000, usdPerMetric: 0.1 },
    { firstMetric: 250_001, lastMetric: 1_000_000, usdPerMetric: 0.05 },
    { firstMetric: 1_000_001, lastMetric: Infinity, usdPerMetric: 0.02 },
  ],
} as const;

/** Monthly cost of `metrics` custom metrics in one account, through the tiers. */
export function monthlyCustomMetricCost(metrics: number): number {
  let cost = 0;
  for (const tier of CUSTOM_METRIC_PRICES.tiers) {
    const inTier = Math.min(metrics, tier.lastMetric) - (tier.firstMetric - 1);
    if (inTier <= 0) break;
    cost += inTier * tier.usdPerMetric;
  }
  return Math.round(cost * 100) / 100;
}
