/**
 * `sesform cost`: the metric and cost table per environment and region, as text or Markdown.
 */
import { CUSTOM_METRIC_PRICES, MONITORING_PRICES } from '../cost/cloudwatch-prices';
import { CostReport, MonitoringCount, StackCost, describeMetrics } from '../cost/cost-model';
import type { BudgetView } from '../cost/cost-view';
import { cents } from '../cost/money';
import { formatCount as count, formatUsd } from '../format';
import { formatProblem } from '../environment/problems';

const usd = (value: number) => `${formatUsd(value)} USD`;

const TOP = 3;

/** The destinations that publish, largest first. */
function publishing(stack: StackCost) {
  return [...stack.destinations].sort((a, b) => b.metrics - a.metrics).filter((d) => d.metrics > 0);
}

function topDestinations(stack: StackCost) {
  return publishing(stack).slice(0, TOP);
}

/** "and 2 more destination(s): 63 metrics", when the top list leaves some out. */
function restText(stack: StackCost): string | undefined {
  const rest = publishing(stack).slice(TOP);
  if (rest.length === 0) return undefined;
  return `and ${rest.length} more destination(s): ${count(rest.reduce((sum, d) => sum + d.metrics, 0))} metrics`;
}

/** One environment's budgets with their headroom: "7,346 of 10,000 metrics (2,654 left)". */
function budgetLines(report: CostReport, budgets: readonly BudgetView[]): string[] {
  return budgets.flatMap((budget) => {
    const own = report.stacks.filter((stack) => stack.environment === budget.environment);
    const metrics = own.reduce((sum, stack) => sum + stack.metrics, 0);
    const monthly = cents(own.reduce((sum, stack) => sum + stack.monthlyUsd, 0));
    const parts = [
      ...(budget.maxMetrics === undefined
        ? []
        : [
            `${count(metrics)} of ${count(budget.maxMetrics)} metrics (${headroom(budget.maxMetrics - metrics, count)})`,
          ]),
      ...(budget.maxMonthlyUsd === undefined
        ? []
        : [
            `${formatUsd(monthly)} of ${usd(budget.maxMonthlyUsd)} a month (${headroom(cents(budget.maxMonthlyUsd - monthly), formatUsd)})`,
          ]),
    ];
    return parts.length === 0 ? [] : [`budget ${budget.environment}: ${parts.join('; ')}`];
  });
}

function headroom(left: number, format: (value: number) => string): string {
  return left >= 0 ? `${format(left)} left` : `${format(-left)} OVER`;
}

/** The whole fleet: every account's figures added up. */
function fleetLine(report: CostReport): string {
  const metrics = report.accounts.reduce((sum, account) => sum + account.metrics, 0);
  const monthly = cents(report.accounts.reduce((sum, account) => sum + account.monthlyUsd, 0));
  return `fleet: ${report.stacks.length} stack(s) in ${report.accounts.length} account(s), up to ${count(metrics)} metrics, ${usd(monthly)} a month`;
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

export function costText(report: CostReport, budgets: readonly BudgetView[] = []): string {
  const lines: string[] = [];
  for (const stack of report.stacks) {
    lines.push(
      `${stack.stack}  account ${stack.accountId}: ${stack.destinations.length} destination(s), up to ${count(stack.metrics)} metrics, ${[monitoringText(stack.monitoring), `${usd(stack.monthlyUsd)} a month${costSplit(stack)}`].filter(Boolean).join(', ')}`,
    );
    for (const top of topDestinations(stack))
      lines.push(
        `    ${top.configurationSet}/${top.destination}: ${count(top.metrics)} metrics (${describeMetrics(top)})`,
      );
    const rest = restText(stack);
    if (rest !== undefined) lines.push(`    ${rest}`);
    if (stack.unpriced !== undefined)
      lines.push(
        `    no custom metrics from ${stack.unpriced.join(', ')}: what those services charge for the events is not in sesform's price table`,
      );
  }
  lines.push('');
  for (const account of report.accounts)
    lines.push(
      `account ${account.accountId}: up to ${count(account.metrics)} metrics, ${[monitoringText(account.monitoring), `${usd(account.monthlyUsd)} a month${costSplit(account)}`].filter(Boolean).join(', ')}`,
    );
  lines.push(fleetLine(report), ...budgetLines(report, budgets));
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

export function costMarkdown(report: CostReport, budgets: readonly BudgetView[] = []): string {
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
          .concat(restText(stack) ?? [])
          .join(', ')} |`,
    ),
    '',
    `${fleetLine(report).replace(/^fleet:/, '**Fleet:**')}.`,
    ...budgetLines(report, budgets).map((line) => `- ${line}`),
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
