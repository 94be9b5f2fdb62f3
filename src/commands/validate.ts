import type { LoadedEnvironment } from '../fleet/loader';
import { EXIT } from '../exit-codes';
import type { FleetStack } from '../fleet/fleet';
import type { Command } from './command';
import { printWarnings, selectedEnvironments, withinBudget } from './environments';
import { SELECTION } from './options';

function environmentSummary({ file, environment }: LoadedEnvironment, stacks: readonly FleetStack[]) {
  const own = stacks.filter((stack) => stack.environment === environment);
  return {
    name: environment.name,
    file,
    accountId: environment.accountId,
    wave: environment.wave,
    protect: environment.protect,
    stacks: own.map((stack) => stack.name),
    configurationSets: environment.configurationSets.map((set) => set.name),
    // As SES holds them (dimension sets expanded), per region: the count cost and plans use.
    eventDestinations: (own[0]?.configurationSets ?? []).reduce((sum, set) => sum + set.destinations.length, 0),
    /** Alarms of each of its stacks (every region has the same). */
    alarmsPerStack: own[0]?.monitoring?.alarms.length ?? 0,
  };
}

export const validate: Command = {
  name: 'validate',
  summary: 'check every environment file and print every problem (and the cost warnings)',
  options: [...SELECTION, 'json'],
  run({ options, out }) {
    const consequence = 'fix them and run again';
    const checked = withinBudget(selectedEnvironments(options, consequence), consequence);
    const summaries = checked.environments.map((loaded) => environmentSummary(loaded, checked.fleet.stacks));
    const { warnings } = checked.cost;
    if (options.json)
      out.write(`${JSON.stringify({ ok: true, environments: summaries, problems: [], warnings }, null, 2)}\n`);
    else {
      for (const summary of summaries)
        out.write(
          `ok  ${summary.name.padEnd(12)} account ${summary.accountId}  wave ${summary.wave}  ${summary.configurationSets.length} set(s), ${summary.eventDestinations} destination(s)${summary.alarmsPerStack > 0 ? `, ${summary.alarmsPerStack} alarm(s)` : ''} per region  stacks: ${summary.stacks.join(', ')}\n`,
        );
      printWarnings(warnings, out);
      out.write(
        `${summaries.length} environment(s) valid${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}.\n`,
      );
    }
    return EXIT.ok;
  },
};
