/**
 * Recovery: taking over what a killed apply created, and turning a failure into what the report says
 * (the reason, and the lock with the command that clears it).
 */
import { MissingRemoteObjectError, StackStepError, StalePlanError, StateLockedError } from '../terraform/errors';
import type { TerraformWorkspace } from '../terraform/runner';
import { errorSummary } from '../terraform/terraform';
import type { PlanStore } from './plan-store';
import type { LockInfo } from '../report/run-report';

/**
 * An apply killed before it finished may have created sets and destinations that its state never
 * recorded (Terraform writes state at the end). They are imported, so that nothing is created twice.
 * Resolves to one line per resource taken over.
 */
export async function takeOverInterruptedApply(workspace: TerraformWorkspace, plans: PlanStore): Promise<string[]> {
  const pending = plans.interruptedApply(workspace.name);
  if (pending === undefined) return [];
  const recovered: string[] = [];
  const inState = new Set(await workspace.stateAddresses());
  for (const { address, importId } of pending) {
    if (inState.has(address)) continue;
    try {
      await workspace.import(address, importId);
      recovered.push(`${address} (${importId}), created by an interrupted apply, imported into the state`);
    } catch (error) {
      // Not created before the process died: the plan creates it as usual.
      if (!(error instanceof MissingRemoteObjectError)) throw error;
    }
  }
  plans.clearApplying(workspace.name);
  return recovered;
}

/** What the report says about a failure; `command` builds the sesform command lines it suggests. */
export function describeFailure(
  error: unknown,
  command: { plan: string; unlock: (lockId: string) => string },
): { error: string; lock?: LockInfo } {
  if (error instanceof StateLockedError) {
    const { id, who, operation, created } = error.lock;
    return {
      error: `terraform ${error.step}: the state is locked by ${operation} of ${who} since ${created}.`,
      lock: { ...error.lock, clear: command.unlock(id) },
    };
  }
  if (error instanceof StalePlanError)
    return {
      error: `terraform ${error.step}: the saved plan no longer matches the state (something was applied since it was made): run ${command.plan} again.`,
    };
  if (error instanceof StackStepError)
    return { error: `terraform ${error.step} failed (exit ${error.result.code}):\n${errorSummary(error.result)}` };
  return { error: error instanceof Error ? error.message : String(error) };
}
