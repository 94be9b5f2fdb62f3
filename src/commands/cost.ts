import * as fs from 'node:fs';
import { costMarkdown, costText } from '../report/cost-report';
import { costView } from '../cost/cost-view';
import { EXIT } from '../exit-codes';
import { CommandRefusal } from './command';
import { onDemand, printRefusal, selectedEnvironments } from './environments';
import type { Command } from './command';
import { SELECTION } from './options';

/** cost: the report, also when over budget (the refusal first, then the figures behind it; exit 3). */
export const cost: Command = {
  name: 'cost',
  summary: 'metrics and monthly CloudWatch cost per environment and region',
  options: [...SELECTION, 'json', 'markdown', 'html'],
  run({ options, out }) {
    const { fleet, cost: report } = selectedEnvironments(options, 'see the report');
    const view = costView(fleet, report);
    if (options.markdown !== undefined) fs.writeFileSync(options.markdown, costMarkdown(report, view.budgets));
    if (options.html !== undefined) {
      const { costReportHtml } = onDemand<typeof import('../report/html')>('../report/html');
      fs.writeFileSync(options.html, costReportHtml(view));
    }
    if (report.overBudget.length > 0) {
      const refusal = new CommandRefusal(
        report.overBudget,
        'over budget, see the report',
        EXIT.guardrail,
        report.warnings,
      );
      printRefusal(refusal, out, options.json);
      if (!options.json) out.write(`\n${costText(report, view.budgets)}`);
      return refusal.exitCode;
    }
    out.write(options.json ? `${JSON.stringify({ ok: true, ...report }, null, 2)}\n` : costText(report, view.budgets));
    return EXIT.ok;
  },
};
