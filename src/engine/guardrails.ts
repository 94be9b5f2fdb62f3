/**
 * The guardrails between a reviewed plan and an apply: every stack's saved plan must exist, match the
 * configuration it was made from and not belong to an interrupted apply; and a plan that destroys or
 * replaces a configuration set of a protected environment is refused unless --allow-destroy names it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FleetStack } from '../fleet/fleet';
import type { Refusal } from '../report/run-report';
import type { TerraformWorkspace } from '../terraform/runner';
import type { StackChanges } from '../report/change-model';
import { stackChanges } from './changes';
import { changeLines } from '../report/text';
import { planConfiguration } from '../terraform/plan-file';
import { PlanStore, SavedPlan, actionsDiffer, configHash, fileSha256, plannedActions } from './plan-store';

/** Why a stack's saved plan may not be applied, or its plan. */
export function savedPlanCheck(
  stack: FleetStack,
  plans: PlanStore,
  outdir: string,
  { planCommand, local }: { planCommand: string; local: boolean },
): { plan: SavedPlan } | { problem: string } {
  const plan = plans.load(stack.name);
  if (plan === undefined) return { problem: `no saved plan: run ${planCommand} first.` };
  if (plan.readOnly)
    return {
      problem: `the saved plan was made with --read-only (through the plan role, which cannot change anything): run ${planCommand} without --read-only, review it, then apply.`,
    };
  if (plans.interruptedApply(stack.name) !== undefined)
    return {
      problem: `an earlier apply of this plan was interrupted: run ${planCommand} (it takes over what that apply created), then apply.`,
    };
  if (plan.configHash !== configHash(path.join(outdir, 'stacks', stack.name)))
    return {
      problem: `the saved plan was made from another configuration (the environment files${local ? ', or the emulator,' : ''} changed since): run ${planCommand} again and review it.`,
    };
  if (plan.planSha256 !== fileSha256(plans.planFile(stack.name))) return { problem: replacedPlan(planCommand) };
  return { plan };
}

const replacedPlan = (planCommand: string) =>
  `the saved plan file is not the one its record describes (it was replaced or changed after sesform plan wrote it): nothing was applied; run ${planCommand} again and review it.`;

/**
 * The saved plan file as it will be applied: copied into `into` (a folder only this run writes), its
 * hash checked against the record, the configuration inside it checked against the stack's
 * configuration as synthesized now, and Terraform's own reading of that copy (`terraform show -json`)
 * checked against the record's actions and values. The changes it returns come from the file itself:
 * they are what the report shows and the destroy guardrail reads, never the record's.
 */
export async function verifyPlanFile(
  stack: FleetStack,
  saved: SavedPlan,
  plans: PlanStore,
  workspace: TerraformWorkspace,
  into: string,
  planCommand: string,
): Promise<{ planFile: string; changes: StackChanges }> {
  const planFile = path.join(into, `${stack.name}.tfplan`);
  fs.copyFileSync(plans.planFile(stack.name), planFile);
  if (fileSha256(planFile) !== saved.planSha256) throw new Error(replacedPlan(planCommand));
  // A plan file made from another configuration (another environment file's plan, copied in with its
  // hash written into this record) would apply that configuration: Terraform keeps the copy it planned.
  const embedded = planConfiguration(planFile);
  if (embedded === undefined || !embedded.equals(fs.readFileSync(path.join(workspace.dir, 'cdk.tf.json'))))
    throw new Error(
      `the saved plan file was not made from this stack's configuration as synthesized now (the copy Terraform keeps inside the file differs): nothing was applied; run ${planCommand} again and review it.`,
    );
  const json = await workspace.sharingProvider((attached) => attached.showPlan(planFile));
  const actions = plannedActions(json);
  const differ = actionsDiffer(actions, saved.actions);
  if (differ.length > 0)
    throw new Error(
      `the saved plan file does not do what its record says (${differ.map((address) => `${address}: ${actions[address] ?? 'nothing'} in the file, ${saved.actions[address] ?? 'nothing'} in the record`).join('; ')}): nothing was applied; run ${planCommand} again and review it.`,
    );
  const changes = stackChanges(json, stack);
  // Compared line by line; only the file's lines are quoted (the record's text may be anyone's).
  const [inFile, inRecord] = [changeLines(changes), changeLines(saved.changes)];
  if (inFile.length !== inRecord.length || inFile.some((line) => !inRecord.includes(line)))
    throw new Error(
      `the saved plan file does not change what its record says (what the file does: ${inFile.join('; ') || 'nothing'}): nothing was applied; run ${planCommand} again and review it.`,
    );
  return { planFile, changes };
}

/** Destroys and replacements of protected configuration sets that `allowDestroy` does not name, as refusals. */
export function destroyRefusals(stack: FleetStack, changes: StackChanges, allowDestroy: readonly string[]): Refusal[] {
  return changes.configurationSets
    .filter((set) => set.action === 'delete' || set.action === 'replace')
    .filter((set) => {
      // A set no longer declared takes the environment's protection.
      const declared = stack.configurationSets.find((candidate) => candidate.name === set.name);
      return (declared?.protect ?? stack.protect) && !allowDestroy.includes(set.name);
    })
    .map((set) => ({
      stack: stack.name,
      configurationSet: set.name,
      reason: 'destroy-protection',
      message: `the plan ${set.action === 'delete' ? 'destroys' : 'replaces'} configuration set "${set.name}" of protected environment "${stack.environment.name}" (${stack.file}). Sending with this set fails while it is gone. If that is intended, apply with --allow-destroy ${set.name}.`,
    }));
}
