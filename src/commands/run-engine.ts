/**
 * What plan, apply, drift and rollout share: the selection checked (validation, budgets, plan roles,
 * sender identities) before the engine, loaded only now, does anything.
 */
import { defaultConcurrency } from '../concurrency';
import type { EngineCommandName } from '../report/command-names';
import { selectStacks } from '../engine/scheduling';
import type { Problem } from '../environment/problems';
import { Fleet, withPlanRole } from '../fleet/fleet';
import { CommandContext, CommandRefusal } from './command';
import {
  cdktfOutputDir,
  onDemand,
  plansOutsideEnvironments,
  printWarnings,
  requireSenders,
  selectedEnvironments,
  withinBudget,
} from './environments';
import { stackSelection } from './selection';

export const engineModule = () => onDemand<typeof import('../engine/commands')>('../engine/commands');

export async function runEngine(command: EngineCommandName, { options, out, err, prompt }: CommandContext) {
  const selection = stackSelection(options);
  const concurrency = selection.concurrency ?? defaultConcurrency();
  const selected = selectedEnvironments(options, 'nothing was run');
  // Drift is read-only: a budget must not hide it, so only invalid input stops it.
  const checked = command === 'drift' ? selected : withinBudget(selected, 'nothing was run');
  const fleet = options['read-only'] ? readOnlyFleet(checked.fleet, selection.waves) : checked.fleet;
  if (options.verify && !options.local) requireSenders(checked.fleet, 'nothing was run');
  if (!options.json) printWarnings(checked.cost.warnings, err);
  return engineModule().runEngineCommand({
    command,
    fleet,
    readOnly: options['read-only'],
    verify: options.verify,
    everyStack: checked.every.stacks,
    local: options.local,
    endpoint: options.endpoint,
    output: options.output,
    plans: plansOutsideEnvironments(options),
    reviewed: options.reviewed,
    concurrency,
    waves: selection.waves,
    shard: selection.shard,
    json: options.json,
    markdown: options.markdown,
    html: options.html,
    allowDestroy: options['allow-destroy'],
    autoApprove: options['auto-approve'],
    prompt,
    defaultOutput: cdktfOutputDir(),
    out,
    err,
  });
}

/**
 * The fleet as --read-only runs it, each stack assuming its plan role; refused when an environment
 * of the selected waves declares none (nothing runs with the deploy role).
 */
function readOnlyFleet(fleet: Fleet, waves: readonly number[] | undefined): Fleet {
  const stacks = selectStacks(fleet.stacks, { waves });
  const problems: Problem[] = [];
  for (const stack of stacks)
    if (stack.planRole === undefined && !problems.some((problem) => problem.file === stack.file))
      problems.push({
        file: stack.file,
        path: 'planRole',
        message: `--read-only plans through each environment's plan role, and environment "${stack.environment.name}" declares none: add planRole (arn, trustedPrincipal) and create it with sesform bootstrap, or run without --read-only.`,
      });
  if (problems.length > 0) throw new CommandRefusal(problems, 'nothing was run');
  return { environments: fleet.environments, stacks: stacks.map((stack) => withPlanRole(stack)!) };
}
