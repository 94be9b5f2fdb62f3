/**
 * The views of the HTML report, each from the JSON report's own figures: the warnings that must not
 * be missed, the waves x stacks grid (each cell opens that stack's SES-terms changes), the accounts
 * x regions heatmap, the metric cost per environment as stacked bars with the budget drawn as a
 * line, the per-destination breakdown (per event type, the product of dimension values, summed), and verify's
 * results. Charts are plain SVG with their figures in data attributes and <title> text. Every view is
 * an html`...` template (html-template.ts): each value from a report is escaped by construction.
 */
import { DestinationCost, StackCost, describeMetrics } from '../cost/cost-model';
import type { CostView } from '../cost/cost-view';
import { countsText, metricsText, runNotes, setLosses, stackDetail, stackHeadline, usdText } from './text';
import type { PlanCost } from '../cost/plan-cost';
import type { RunReport, StackReport } from './run-report';
import { wavesOf } from './waves';
import { StackVerification, seriesText, verificationSummary } from './verify-report';
import { OUTCOME_LABELS } from './html-page';
import { SafeHtml, html } from './html-template';
import { formatCount as count, formatDollars as usd } from '../format';

/** The outcome a cell shows: a stack left untouched because a guardrail refused the run is "refused". */
export function shownOutcome(report: RunReport, stack: StackReport): string {
  if (stack.outcome === 'not-touched' && report.refusals.some((refusal) => refusal.stack === stack.stack))
    return 'refused';
  return stack.outcome;
}

/** Destroys and replacements of sets, refusals, failures and why the run stopped: first, in a box. */
export function warningsView(report: RunReport): SafeHtml {
  const items = [
    ...setLosses(report).map((loss) => `Configuration set destroyed or replaced: ${loss}`),
    ...report.refusals.map((refusal) => `Refused: ${refusal.stack}: ${refusal.message}`),
    ...report.stacks
      .filter((stack) => stack.outcome === 'failed')
      .map((stack) => `${stack.stack} failed: ${stack.error ?? 'see its details'}`),
    ...(report.stopped ? [report.stopped] : []),
    ...runNotes(report),
  ];
  if (items.length === 0) return html``;
  return html`<section class="alert" role="alert" aria-labelledby="warnings-title"><h2 id="warnings-title">Read this first</h2><ul>${items.map(
    (item) => html`<li>${item}</li>`,
  )}</ul></section>`;
}

function legend(outcomes: readonly string[]): SafeHtml {
  return html`<ul class="legend" aria-label="Legend">${outcomes.map(
    (outcome) =>
      html`<li><span class="swatch o-${outcome}" aria-hidden="true"></span>${OUTCOME_LABELS[outcome] ?? outcome}</li>`,
  )}</ul>`;
}

/** The waves x stacks grid, and each stack's details (hidden; the dialog shows them, print shows all). */
export function gridView(report: RunReport, cost: PlanCost): SafeHtml {
  const ids = new Map(report.stacks.map((stack, index) => [stack.stack, `s${index}`]));
  const rows = wavesOf(report.stacks).map(({ wave, members }) => {
    const cells = members.map((stack) => {
      const outcome = shownOutcome(report, stack);
      const label = OUTCOME_LABELS[outcome] ?? outcome;
      return html`<button type="button" class="cell o-${outcome}" data-id="${ids.get(stack.stack)}" data-stack="${stack.stack}" data-outcome="${outcome}" aria-label="${`${stack.stack}: ${label}; open details`}">${stack.stack}<small>${label}</small></button>`;
    });
    return html`<div class="wave" role="group" aria-label="wave ${wave}"><div class="wave-label">wave ${wave}</div><div class="cells">${cells}</div></div>`;
  });
  const details = report.stacks.map((stack) => {
    const lines = stackDetail(stack, cost.stacks.get(stack.stack));
    return html`<section class="stack-details" id="details-${ids.get(stack.stack)}" hidden><p>${stackHeadline(stack)}</p>${lines.length > 0 ? html`<pre>${lines.join('\n')}</pre>` : html`<p>Nothing to change.</p>`}</section>`;
  });
  const outcomes = [...new Set(report.stacks.map((stack) => shownOutcome(report, stack)))];
  return html`<section aria-labelledby="grid-title"><h2 id="grid-title">Waves and stacks</h2><p class="no-print">Select a stack (click, or Tab and Enter; arrow keys move between stacks) for its changes in SES terms, values before -&gt; after.</p>${legend(outcomes)}${rows}${details}</section>`;
}

/** Lines of a stack shown in the summary without a click; the rest are in its details. */
const SUMMARY_LINES = 6;

/**
 * Every stack at a glance, without a click (a screenshot or a printed page shows it): its outcome,
 * what changes, its first lines in SES words (drift findings first), custom metrics and their
 * monthly USD; then per account and for the run, from the same plan cost model as the text report.
 */
export function summaryView(report: RunReport, cost: PlanCost): SafeHtml {
  const rows = report.stacks.map((stack) => {
    const lines = stackDetail(stack).filter((line) => !line.startsWith('custom metrics '));
    const shown = lines.slice(0, SUMMARY_LINES);
    const more = lines.length - shown.length;
    const metrics = stack.changes?.metrics;
    const usd = cost.stacks.get(stack.stack);
    const outcome = shownOutcome(report, stack);
    return html`<tr data-stack="${stack.stack}"><th scope="row">${stack.stack}</th><td>${stack.accountId}</td><td class="o-${outcome}">${OUTCOME_LABELS[outcome] ?? outcome}</td><td>${stack.changes ? countsText(stack.changes) : ''}</td><td>${
      shown.length > 0
        ? html`<ul class="summary-lines">${shown.map((line) => html`<li>${line}</li>`)}${more > 0 ? html`<li class="meta">and ${more} more: the stack's details</li>` : html``}</ul>`
        : html``
    }</td><td class="num">${metrics ? metricsText(metrics) : ''}</td><td class="num">${metrics && usd ? usdText(usd) : ''}</td></tr>`;
  });
  const accounts = cost.accounts.map(
    (account) =>
      html`<tr><th scope="row">account ${account.accountId}</th><td class="num">${metricsText(account.metrics)}</td><td class="num">${usdText(account.usd)}</td></tr>`,
  );
  return html`<section aria-labelledby="summary-title"><h2 id="summary-title">Summary</h2><table class="summary"><thead><tr><th scope="col">stack</th><th scope="col">account</th><th scope="col">outcome</th><th scope="col">resources</th><th scope="col">in SES words</th><th scope="col">custom metrics</th><th scope="col">monthly USD</th></tr></thead><tbody>${rows}</tbody></table><table class="summary-accounts"><thead><tr><th scope="col">CloudWatch custom metrics</th><th scope="col">metrics</th><th scope="col">monthly USD</th></tr></thead><tbody>${accounts}<tr><th scope="row">all accounts</th><td class="num">${metricsText(cost.metrics)}</td><td class="num">${usdText(cost.total)}</td></tr></tbody></table></section>`;
}

/** What a stack counts in the heatmap: drift findings for drift, resources changed otherwise. */
function findings(stack: StackReport): number {
  if (stack.drift)
    return stack.drift.resources.length + stack.drift.unmanagedDestinations.length + stack.drift.unmanagedSets.length;
  const counts = stack.changes?.counts;
  return counts ? counts.add + counts.change + counts.replace + counts.destroy : 0;
}

/** Accounts x regions, each cell its number of findings (the number is written; colour repeats it). */
export function heatmapView(report: RunReport): SafeHtml {
  const accounts = [...new Set(report.stacks.map((stack) => stack.accountId))];
  const regions = [...new Set(report.stacks.map((stack) => stack.region))].sort();
  const what = report.command === 'drift' ? 'drift findings' : 'resources changed';
  const level = (value: number) => (value === 0 ? 0 : value < 3 ? 1 : value < 10 ? 2 : 3);
  const rows = accounts.map((account) => {
    const cells = regions.map((region) => {
      const stacks = report.stacks.filter((stack) => stack.accountId === account && stack.region === region);
      if (stacks.length === 0) return html`<td class="num">-</td>`;
      const value = stacks.reduce((sum, stack) => sum + findings(stack), 0);
      return html`<td class="num heat-${level(value)}" data-account="${account}" data-region="${region}" data-value="${value}">${count(value)}</td>`;
    });
    return html`<tr><th scope="row">${account}</th>${cells}</tr>`;
  });
  return html`<section aria-labelledby="heatmap-title"><h2 id="heatmap-title">Accounts x regions: ${what}</h2><table class="heatmap"><thead><tr><th scope="col">account</th>${regions.map(
    (region) => html`<th scope="col">${region}</th>`,
  )}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** Alarms and dashboards in the USD bars: grey, apart from the destinations' colours. */
const MONITORING_COLOUR = '#9ca3af';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];

/** What a chart measures: metrics, or monthly USD (each destination's share of its stack's cost). */
interface Measure {
  readonly name: 'metrics' | 'usd';
  readonly ofStack: (stack: StackCost) => number;
  readonly ofDestination: (stack: StackCost, destination: DestinationCost) => number;
  readonly format: (value: number) => string;
  readonly budget?: number;
}

const METRICS = (budget?: number): Measure => ({
  name: 'metrics',
  ofStack: (stack) => stack.metrics,
  ofDestination: (_stack, destination) => destination.metrics,
  format: (value) => `${count(value)} metrics`,
  budget,
});

const USD = (budget?: number): Measure => ({
  name: 'usd',
  ofStack: (stack) => stack.monthlyUsd,
  // The cost model prices a stack's metrics together; a destination carries its metrics' share.
  // Alarms and dashboards are a segment of their own (monitoringSegment). Reports written before
  // monitoring existed carry only monthlyUsd, which was all metrics.
  ofDestination: (stack, destination) =>
    stack.metrics === 0 ? 0 : ((stack.metricsUsd ?? stack.monthlyUsd) * destination.metrics) / stack.metrics,
  format: (value) => `${usd(value)} per month`,
  budget,
});

/** One bar of a chart: a region's stack, or the environment's total over its regions. */
interface Column {
  readonly label: string;
  readonly stack: string;
  readonly segments: readonly { readonly name: string; readonly value: number }[];
  readonly monitoring: number;
  readonly total: number;
}

function columnOf(stack: StackCost, measure: Measure): Column {
  return {
    label: stack.region,
    stack: stack.stack,
    segments: stack.destinations
      .filter((destination) => destination.metrics > 0)
      .map((destination) => ({
        name: `${destination.configurationSet}/${destination.destination}`,
        value: measure.ofDestination(stack, destination),
      })),
    monitoring: measure.name === 'usd' ? (stack.monitoringUsd ?? 0) : 0,
    total: measure.ofStack(stack),
  };
}

/** The environment's regions summed, destination by destination: what its budgets limit. */
function totalColumn(columns: readonly Column[]): Column {
  const byName = new Map<string, number>();
  for (const column of columns)
    for (const segment of column.segments) byName.set(segment.name, (byName.get(segment.name) ?? 0) + segment.value);
  return {
    label: 'all regions',
    stack: 'all regions',
    segments: [...byName].map(([name, value]) => ({ name, value })),
    monitoring: columns.reduce((sum, column) => sum + column.monitoring, 0),
    total: columns.reduce((sum, column) => sum + column.total, 0),
  };
}

/**
 * One bar per stack (region), stacked by destination; with several regions a last bar of their sum.
 * A budget limits the environment's total (the account's, every region together), so its dashed line
 * is drawn over that bar only, never across the regions' bars as if each had the whole budget.
 */
function barChart(stacks: readonly StackCost[], measure: Measure, colour: (name: string) => string): SafeHtml {
  const regions = stacks.map((stack) => columnOf(stack, measure));
  const columns = regions.length > 1 ? [...regions, totalColumn(regions)] : regions;
  const limited = columns[columns.length - 1];
  const top = Math.max(Number.MIN_VALUE, ...columns.map((column) => column.total), measure.budget ?? 0) * 1.1 || 1;
  const [height, left, bar, gap] = [200, 90, 64, 36];
  const width = Math.max(480, left + 20 + columns.length * (bar + gap));
  const y = (value: number) => height - 30 - (value / top) * (height - 50);
  const xOf = (index: number) => left + 20 + index * (bar + gap);
  const bars = columns.map((column, index) => {
    const x = xOf(index);
    let base = 0;
    const segments = column.segments.map(({ name, value }) => {
      const [from, to] = [y(base), y(base + value)];
      base += value;
      return html`<rect x="${x}" y="${to}" width="${bar}" height="${Math.max(0, from - to)}" fill="${colour(name)}" stroke="#fff" data-destination="${name}" data-value="${value}"><title>${`${column.stack} ${name}: ${measure.format(value)}`}</title></rect>`;
    });
    const monitoringSegment =
      column.monitoring > 0
        ? html`<rect x="${x}" y="${y(base + column.monitoring)}" width="${bar}" height="${Math.max(0, y(base) - y(base + column.monitoring))}" fill="${MONITORING_COLOUR}" stroke="#fff" data-destination="alarms and dashboards" data-value="${column.monitoring}"><title>${`${column.stack} alarms and dashboards: ${measure.format(column.monitoring)}`}</title></rect>`
        : html``;
    return html`<g class="bar" data-stack="${column.stack}" data-value="${column.total}">${segments}${monitoringSegment}<text x="${x + bar / 2}" y="${height - 14}" text-anchor="middle">${column.label}</text><text x="${x + bar / 2}" y="${y(column.total) - 4}" text-anchor="middle">${measure.name === 'usd' ? usd(column.total) : count(column.total)}</text></g>`;
  });
  const [x1, x2] = [xOf(columns.indexOf(limited)) - 8, xOf(columns.indexOf(limited)) + bar + 8];
  const budgetLine =
    measure.budget !== undefined
      ? html`<line class="budget-line" x1="${x1}" x2="${x2}" y1="${y(measure.budget)}" y2="${y(measure.budget)}" data-budget="${measure.budget}" data-limits="${limited.stack}"><title>budget ${measure.format(measure.budget)} for ${regions.length > 1 ? 'all regions together' : 'the environment'}</title></line><text x="${x2}" y="${y(measure.budget) - 4}" text-anchor="end">budget ${measure.format(measure.budget)}</text>`
      : html``;
  const label = measure.name === 'usd' ? 'USD per month' : 'custom metrics';
  return html`<svg role="img" data-measure="${measure.name}" aria-label="${label} per region${regions.length > 1 ? ' and for all regions' : ''}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><text x="4" y="14">${label}</text><line x1="${left}" x2="${left}" y1="20" y2="${height - 30}" stroke="#999"/><line x1="${left}" x2="${width - 10}" y1="${height - 30}" y2="${height - 30}" stroke="#999"/>${bars}${budgetLine}</svg>`;
}

/** One environment: its regions' metrics and monthly cost, stacked by destination, against its budgets. */
function environmentChart(view: CostView, environment: string): SafeHtml {
  const stacks = view.stacks.filter((stack) => stack.environment === environment);
  const budget = view.budgets.find((each) => each.environment === environment);
  const total = stacks.reduce((sum, stack) => sum + stack.metrics, 0);
  const usdTotal = stacks.reduce((sum, stack) => sum + stack.monthlyUsd, 0);
  const names = [
    ...new Set(stacks.flatMap((stack) => stack.destinations.map((d) => `${d.configurationSet}/${d.destination}`))),
  ];
  const colour = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length];
  const caption = `${environment} (account ${stacks[0]?.accountId ?? '?'}): ${count(total)} metrics, ${usd(usdTotal)} per month${budget?.maxMetrics !== undefined ? `; ${count(total)} of ${count(budget.maxMetrics)} metrics budgeted` : ''}${budget?.maxMonthlyUsd !== undefined ? `; ${usd(usdTotal)} of ${usd(budget.maxMonthlyUsd)} per month budgeted` : ''}`;
  const key = names.map(
    (name) => html`<li><span class="swatch" style="background:${colour(name)}" aria-hidden="true"></span>${name}</li>`,
  );
  const monitoringKey = stacks.some((stack) => (stack.monitoringUsd ?? 0) > 0)
    ? html`<li><span class="swatch" style="background:${MONITORING_COLOUR}" aria-hidden="true"></span>alarms and dashboards (USD only)</li>`
    : html``;
  return html`<figure class="chart" data-environment="${environment}"><figcaption>${caption}</figcaption>${barChart(stacks, METRICS(budget?.maxMetrics), colour)}${barChart(stacks, USD(budget?.maxMonthlyUsd), colour)}<ul class="legend">${key}${monitoringKey}</ul></figure>`;
}

/** Cost per environment and region, and per destination the formula behind each count. */
export function costSection(view: CostView): SafeHtml {
  const environments = [...new Set(view.stacks.map((stack) => stack.environment))];
  const rows = view.stacks.flatMap((stack) =>
    stack.destinations.map(
      (destination) =>
        html`<tr><td>${stack.stack}</td><td>${`${destination.configurationSet}/${destination.destination}`}</td><td>${destination.enabled ? describeMetrics(destination) : 'disabled: publishes nothing'}</td><td class="num">${count(destination.metrics)}</td></tr>`,
    ),
  );
  return html`<section aria-labelledby="cost-title"><h2 id="cost-title">Custom metrics and monthly cost</h2><p class="meta">CloudWatch prices as of ${view.pricesAsOf}; each stack carries its share of its account's tiered cost.</p>${environments.map(
    (environment) => environmentChart(view, environment),
  )}<details><summary>Per destination: per event type, the product of its dimensions' values, summed</summary><table><thead><tr><th scope="col">stack</th><th scope="col">set/destination</th><th scope="col">formula</th><th scope="col">metrics</th></tr></thead><tbody>${rows}</tbody></table></details></section>`;
}

/** verify's results, one row per series, the status in words. */
export function verifySection(stacks: readonly StackVerification[]): SafeHtml {
  const rows = stacks.flatMap((stack) => [
    ...(stack.error
      ? [
          {
            failing: true,
            html: html`<tr><td>${stack.stack}</td><td></td><td></td><td>ERROR</td><td>${stack.error}</td></tr>`,
          },
        ]
      : []),
    ...stack.results.map((result) => ({
      failing: result.status === 'missing',
      html: html`<tr data-status="${result.status}"><td>${stack.stack}</td><td>${`${result.configurationSet}/${result.destination}`}</td><td>${seriesText(result)}</td><td>${result.status === 'missing' ? 'MISSING' : result.status}</td><td>${result.cause ?? ''}</td></tr>`,
    })),
  ]);
  const head = html`<thead><tr><th scope="col">stack</th><th scope="col">set/destination</th><th scope="col">series</th><th scope="col">result</th><th scope="col">cause</th></tr></thead>`;
  const failing = rows.filter((row) => row.failing).map((row) => row.html);
  const all = rows.map((row) => row.html);
  return html`<section aria-labelledby="verify-title"><h2 id="verify-title">Metrics verified</h2><p>${verificationSummary(stacks)}.</p>${
    failing.length > 0 ? html`<table class="verify-failing">${head}<tbody>${failing}</tbody></table>` : html``
  }<details><summary>Every series (${all.length})</summary><table>${head}<tbody>${all}</tbody></table></details></section>`;
}
