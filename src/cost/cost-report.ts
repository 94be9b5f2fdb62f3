/**
 * `sesform cost`: the metric and cost table per environment and region, as text or Markdown.
 */
import { CUSTOM_METRIC_PRICES } from './cloudwatch-prices';
import { CostReport, StackCost, describeMetrics } from './cost-model';
import { formatProblem } from '../environment/problems';

const count = (value: number) => value.toLocaleString('en-US');
const usd = (value: number) => `${value.toFixed(2)} USD`;

function topDestinations(stack: StackCost, limit = 3) {
  return [...stack.destinations]
    .sort((a, b) => b.metrics - a.metrics)
    .slice(0, limit)
    .filter((d) => d.metrics > 0);
}

export function costText(report: CostReport): string {
  const lines: string[] = [];
  for (const stack of report.stacks) {
    lines.push(
      `${stack.stack}  account ${stack.accountId}: ${stack.destinations.length} destination(s), up to ${count(stack.metrics)} metrics, ${usd(stack.monthlyUsd)} a month`,
    );
    for (const top of topDestinations(stack))
      lines.push(
        `    ${top.configurationSet}/${top.destination}: ${count(top.metrics)} metrics (${describeMetrics(top)})`,
      );
  }
  lines.push('');
  for (const account of report.accounts)
    lines.push(
      `account ${account.accountId}: up to ${count(account.metrics)} metrics, ${usd(account.monthlyUsd)} a month`,
    );
  lines.push(`prices as of ${CUSTOM_METRIC_PRICES.asOf}; tiers applied per account; each stack carries its share.`);
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
    '| stack | account | destinations | metrics (up to) | monthly cost | most expensive destinations |',
    '|---|---|---:|---:|---:|---|',
    ...report.stacks.map(
      (stack) =>
        `| ${stack.stack} | ${stack.accountId} | ${stack.destinations.length} | ${count(stack.metrics)} | ${usd(stack.monthlyUsd)} | ${topDestinations(
          stack,
        )
          .map((top) => `${top.configurationSet}/${top.destination} (${count(top.metrics)})`)
          .join(', ')} |`,
    ),
    '',
    `Prices as of ${CUSTOM_METRIC_PRICES.asOf}, tiered per account: ${report.accounts
      .map((account) => `${account.accountId} ${count(account.metrics)} metrics, ${usd(account.monthlyUsd)}`)
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
