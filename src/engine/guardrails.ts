/**
 * The guardrails between a reviewed plan and an apply: every stack's saved plan must exist, match the
 * configuration it was made from and not belong to an interrupted apply; and a plan that destroys or
 * replaces a configuration set of a protected environment is refused unless --allow-destroy names it.
 */
import * as path from 'node:path';
import type { FleetStack } from '../fleet/fleet';
import { PlanStore, SavedPlan, configHash } from './plan-store';

/** Why a stack's saved plan may not be applied, or its plan. */
export function savedPlanCheck(
  stack: FleetStack,
  plans: PlanStore,
  outdir: string,
  { planCommand, local }: { planCommand: string; local: boolean },
): { plan: SavedPlan } | { problem: string } {
  const plan = plans.load(stack.name);
  if (plan === undefined) return { problem: `no saved plan: run ${planCommand} first.` };
  if (plans.interruptedApply(stack.name) !== undefined)
    return {
      problem: `an earlier apply of this plan was interrupted: run ${planCommand} (it takes over what that apply created), then apply.`,
    };
  if (plan.configHash !== configHash(path.join(outdir, 'stacks', stack.name)))
    return {
      problem: `the saved plan was made from another configuration (the environment files${local ? ', or the emulator,' : ''} changed since): run ${planCommand} again and review it.`,
    };
  return { plan };
}

/** Destroys and replacements of protected configuration sets that `allowDestroy` does not name, as refusals. */
export function destroyRefusals(stack: FleetStack, plan: SavedPlan, allowDestroy: readonly string[]): string[] {
  return plan.changes.configurationSets
    .filter((set) => set.action === 'delete' || set.action === 'replace')
    .filter((set) => {
      // A set no longer declared takes the environment's protection.
      const declared = stack.configurationSets.find((candidate) => candidate.name === set.name);
      return (declared?.protect ?? stack.protect) && !allowDestroy.includes(set.name);
    })
    .map(
      (set) =>
        `${stack.name}: the plan ${set.action === 'delete' ? 'destroys' : 'replaces'} configuration set "${set.name}" of protected environment "${stack.environment.name}" (${stack.file}). Sending with this set fails while it is gone. If that is intended, apply with --allow-destroy ${set.name}.`,
    );
}
