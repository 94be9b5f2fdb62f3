/**
 * `--html FILE`: one self-contained HTML file (inline CSS, JS and SVG; no network) from the same
 * report the JSON, text and Markdown forms show: a run (plan, apply, drift, rollout, report and
 * report --merge), verify, or cost.
 */
import type { CostView } from '../cost/cost-view';
import { outcomeSummary, reportTitle } from './text';
import type { RunReport } from './run-report';
import type { VerifyReport } from './verify-report';
import { verificationSummary } from './verify-report';
import { page } from './html-page';
import { costSection, gridView, heatmapView, summaryView, verifySection, warningsView } from './html-views';
import { formatCount } from '../format';
import { planCost } from '../cost/plan-cost';

export function runReportHtml(report: RunReport): string {
  // One plan cost for the summary and each stack's details.
  const cost = planCost(report.stacks);
  return page(
    reportTitle(report),
    `${report.stacks.length} stack(s): ${outcomeSummary(report)}. Exit code ${report.exitCode}.`,
    [
      warningsView(report),
      summaryView(report, cost),
      gridView(report, cost),
      heatmapView(report),
      ...(report.cost ? [costSection(report.cost)] : []),
      ...(report.verification ? [verifySection(report.verification)] : []),
    ],
  );
}

export function verifyReportHtml(report: VerifyReport): string {
  return page(
    `sesform verify${report.local ? ' (local emulator)' : ''}`,
    `${report.stacks.length} stack(s): ${verificationSummary(report.stacks)}. Exit code ${report.exitCode}.`,
    [verifySection(report.stacks)],
  );
}

export function costReportHtml(view: CostView): string {
  const metrics = view.stacks.reduce((sum, stack) => sum + stack.metrics, 0);
  return page('sesform cost', `${view.stacks.length} stack(s), ${formatCount(metrics)} custom metrics.`, [
    costSection(view),
  ]);
}
