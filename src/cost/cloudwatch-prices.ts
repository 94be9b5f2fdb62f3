/**
 * CloudWatch custom-metric prices: the one place to update when AWS changes them.
 * Source: Amazon CloudWatch pricing, "Metrics", custom metrics per metric-month, as published on the
 * date below. Metrics that SES publishes through configuration sets are billed as custom metrics.
 */
import { cents } from './money';

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
  return cents(cost);
}

/**
 * CloudWatch alarm and dashboard prices (Amazon CloudWatch pricing, "Alarms" and "Dashboards", as
 * published on the date below). An alarm is billed per metric it reads: a metric-math alarm by each
 * metric of its expression. Alarms on periods under a minute are high-resolution. The free tier is
 * per account: it assumes sesform's alarms and dashboards are the account's only ones, so other
 * alarms or dashboards in the account make the real bill higher by up to the free amounts.
 */
export const MONITORING_PRICES = {
  asOf: '2026-11-27',
  currency: 'USD',
  usdPerStandardAlarmMetric: 0.1,
  usdPerHighResolutionAlarmMetric: 0.3,
  freeStandardAlarmMetrics: 10,
  usdPerDashboard: 3,
  freeDashboards: 3,
} as const;

/** Monthly cost of alarms in one account, by the metrics they read. */
export function monthlyAlarmCost(standardAlarmMetrics: number, highResolutionAlarmMetrics: number): number {
  const { usdPerStandardAlarmMetric, usdPerHighResolutionAlarmMetric, freeStandardAlarmMetrics } = MONITORING_PRICES;
  return cents(
    Math.max(0, standardAlarmMetrics - freeStandardAlarmMetrics) * usdPerStandardAlarmMetric +
      highResolutionAlarmMetrics * usdPerHighResolutionAlarmMetric,
  );
}

/** Monthly cost of dashboards in one account. */
export function monthlyDashboardCost(dashboards: number): number {
  return cents(Math.max(0, dashboards - MONITORING_PRICES.freeDashboards) * MONITORING_PRICES.usdPerDashboard);
}
