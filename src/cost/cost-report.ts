/**
 * `sesform cost`: the metric and cost table per environment and region, as text or Markdown.
 */
import { CUSTOM_METRIC_PRICES, MONITORING_PRICES } from './cloudwatch-prices';
import { CostReport, MonitoringCount, StackCost, describeMetrics } from './cost-model';
import { formatProblem } from '../environment/problems';

const count = (value: number) => value.toLocaleString('en-US');
const usd = (value: number) => `${value.toFixed(2)} USD`;

function topDestinations(stack: StackCost, limit = 3) {
  return [...stack.destinations]
    .sort((a, b) => b.metrics - a.metrics)
    .slice(0, limit)
    .filter((d) => d.metrics > 0);
}

/** "3 alarms (4 alarm metrics), 1 dashboard", or "" without monitoring. */
function monitoringText(monitoring: MonitoringCount): string {
  const alarmMetrics = monitoring.standardAlarmMetrics + monitoring.highResolutionAlarmMetrics;
  if (monitoring.alarms + monitoring.dashboards === 0) return '';
  return `${count(monitoring.alarms)} alarm(s) (${count(alarmMetrics)} alarm metric(s)), ${count(monitoring.dashboards)} dashboard(s)`;
}

/** The cost split, when there is more than metrics to pay for. */
function costSplit(figures: { metricsUsd: number; monitoringUsd: number; monitoring: MonitoringCount }): string {
  return monitoringText(figures.monitoring) === ''
    ? ''
    : ` (metrics ${usd(figures.metricsUsd)}, alarms and dashboards ${usd(figures.monitoringUsd)})`;
}

const PRICE_NOTE = `free tier per account: ${MONITORING_PRICES.freeStandardAlarmMetrics} alarm metrics and ${MONITORING_PRICES.freeDashboards} dashboards`;

export function costText(report: CostReport): string {
  const lines: string[] = [];
  for (const stack of report.stacks) {
    lines.push(
      `${stack.stack}  account ${stack.accountId}: ${stack.destinations.length} destination(s), up to ${count(stack.metrics)} metrics, ${[monitoringText(stack.monitoring), `${usd(stack.monthlyUsd)} a month${costSplit(stack)}`].filter(Boolean).join(', ')}`,
    );
    for (const top of topDestinations(stack))
      lines.push(
        `    ${top.configurationSet}/${top.destination}: ${count(top.metrics)} metrics (${describeMetrics(top)})`,
      );
  }
  lines.push('');
  for (const account of report.accounts)
    lines.push(
      `account ${account.accountId}: up to ${count(account.metrics)} metrics, ${[monitoringText(account.monitoring), `${usd(account.monthlyUsd)} a month${costSplit(account)}`].filter(Boolean).join(', ')}`,
    );
  lines.push(
    `prices as of ${CUSTOM_METRIC_PRICES.asOf}; tiers applied per account (${PRICE_NOTE}); each stack carries its share.`,
  );
  if (report.warnings.length > 0) {
    lines.push('', `${report.warnings.length} warning(s):`);
    for (const warning of report.warnings) lines.push(`  warning: ${formatProblem(warning)}`);
  }
  for (const problem of report.overBudget) lines.push(`  over budget: ${formatProblem(problem)}`);
  return `${lines.join('\n')}\n`;
}

export function costMarkdown(report: CostReport): string {
  const lines = [
    '## SES metric cost estimate',
    '',
    '| stack | account | destinations | metrics (up to) | alarms (metrics) | dashboards | monthly cost | most expensive destinations |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...report.stacks.map(
      (stack) =>
        `| ${stack.stack} | ${stack.accountId} | ${stack.destinations.length} | ${count(stack.metrics)} | ${count(stack.monitoring.alarms)} (${count(stack.monitoring.standardAlarmMetrics + stack.monitoring.highResolutionAlarmMetrics)}) | ${count(stack.monitoring.dashboards)} | ${usd(stack.monthlyUsd)} | ${topDestinations(
          stack,
        )
          .map((top) => `${top.configurationSet}/${top.destination} (${count(top.metrics)})`)
          .join(', ')} |`,
    ),
    '',
    `Prices as of ${CUSTOM_METRIC_PRICES.asOf}, tiered per account (${PRICE_NOTE}): ${report.accounts
      .map(
        (account) =>
          `${account.accountId} ${count(account.metrics)} metrics${monitoringText(account.monitoring) ? `, ${monitoringText(account.monitoring)}` : ''}, ${usd(account.monthlyUsd)}`,
      )
      .join('; ')}.`,
  ];
  if (report.overBudget.length > 0)
    lines.push(
      '',
      '### Over budget',
      '',
      ...report.overBudget.map((problem) => `- \`${problem.file}\` ${problem.path}: ${problem.message}`),
    );
  if (report.warnings.length > 0)
    lines.push(
      '',
      '### Warnings',
      '',
      ...report.warnings.map((warning) => `- \`${warning.file}\` ${warning.path}: ${warning.message}`),
    );
  return `${lines.join('\n')}\n`;
}
