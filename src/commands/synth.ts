import * as path from 'node:path';
import { fleetFingerprint } from '../engine/plan-store';
import { displayPath } from '../environment/problems';
import { EXIT } from '../exit-codes';
import { requestedLocalTarget } from '../local/local-target';
import type { Command } from './command';
import { cdktfOutputDir, onDemand, printWarnings, selectedEnvironments, withinBudget } from './environments';
import { SELECTION } from './options';

export const synth: Command = {
  name: 'synth',
  summary: 'validate, then write the stacks to cdktf.out as `cdktf synth` does',
  options: [...SELECTION, 'output', 'json', 'local', 'endpoint'],
  run({ options, out }) {
    const consequence = 'nothing was synthesized';
    const { fleet, cost } = withinBudget(selectedEnvironments(options, consequence), consequence);
    const outdir = path.resolve(options.output ?? cdktfOutputDir());
    const local = requestedLocalTarget(options);
    // cdktf and the provider classes load here, not for validate or cost.
    const { synthesize } = onDemand<typeof import('../app')>('../app');
    const { stacks } = synthesize(fleet, outdir, { removeOrphans: options.env.length === 0, local });
    const names = stacks.map((stack) => stack.node.id);
    const fingerprint = fleetFingerprint(outdir, names);
    if (options.json)
      out.write(
        `${JSON.stringify({ ok: true, outdir: displayPath(outdir), stacks: names, fingerprint, problems: [], warnings: cost.warnings }, null, 2)}\n`,
      );
    else {
      printWarnings(cost.warnings, out);
      out.write(`Synthesized ${names.length} stack(s) to ${displayPath(outdir)}: ${names.join(', ')}\n`);
      out.write(`Configuration fingerprint (roles aside; the key of a review's plans): ${fingerprint}\n`);
    }
    return EXIT.ok;
  },
};
