/**
 * The Terraform steps of one stack: plan (saved for apply), drift, and apply of a saved plan (with the
 * re-plan after a transient failure that only applies within what was reviewed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FleetStack } from '../fleet/fleet';
import type { PlanJson, TerraformWorkspace } from '../terraform/runner';
import { driftedResources, hasChanges, noChanges, stackChanges } from './changes';
import {
  PlanStore,
  SavedPlan,
  beyondReviewed,
  configHash,
  fileSha256,
  pendingCreates,
  plannedActions,
  reviewHash,
} from './plan-store';
import { takeOverInterruptedApply } from './recovery';
import { StackReport, hasDrift } from '../report/run-report';
import type { Unmanaged } from './unmanaged';
import { acknowledge } from './drift-acknowledgements';
import type { ReviewedPlans } from './review';

/** What the steps need from the run. */
export interface StepContext {
  readonly plans: PlanStore;
  /** The stack's workspace, initialized. */
  workspace(report: StackReport): Promise<TerraformWorkspace>;
  /** What only the SES API shows: sets and destinations no environment file declares. */
  unmanaged(stack: FleetStack): Promise<Unmanaged>;
  /** Runs a step, again after transient failures, noting the retries in the report. */
  retrying<T>(report: StackReport, step: string, work: (attempt: number) => Promise<T>): Promise<T>;
  /** `sesform plan --env ...` for the stack, as the report suggests it. */
  planCommand(stack: string): string;
  /** A signal stopped the run. */
  interrupted(): boolean;
  /** The stacks assume their plan roles: saved plans are marked so that apply refuses them. */
  readonly readOnly: boolean;
  /** The plans a review approved: each fresh plan is compared with its stack's. */
  readonly reviewed?: ReviewedPlans;
}

/**
 * A saved plan and, when it changes anything, its JSON (one provider process for both steps). A plan
 * that changes nothing (`-detailed-exitcode` 0) needs no `terraform show`: undefined.
 */
function planAndShow(workspace: TerraformWorkspace, planFile: string): Promise<PlanJson | undefined> {
  return workspace.sharingProvider(async (sharing) => {
    const { changes } = await sharing.plan(planFile);
    return changes ? sharing.showPlan(planFile) : undefined;
  });
}

export async function planStack(context: StepContext, stack: FleetStack, report: StackReport): Promise<void> {
  const workspace = await context.workspace(report);
  report.recovered.push(...(await takeOverInterruptedApply(workspace, context.plans)));
  const planFile = context.plans.prepare(stack.name);
  const plan = await context.retrying(report, 'plan', () => planAndShow(workspace, planFile));
  const changes = plan === undefined ? noChanges(stack) : stackChanges(plan, stack);
  const saved: SavedPlan = {
    stack: stack.name,
    configHash: configHash(workspace.dir),
    reviewHash: reviewHash(workspace.dir),
    planSha256: fileSha256(planFile),
    createdAt: new Date().toISOString(),
    changes,
    actions: plan === undefined ? {} : plannedActions(plan),
    creates: plan === undefined ? [] : pendingCreates(plan, stack),
    ...(context.readOnly ? { readOnly: true as const } : {}),
  };
  context.plans.save(saved);
  report.changes = changes;
  report.outcome = hasChanges(changes) ? 'planned' : 'no-changes';
  // A plan that changes nothing applies nothing: it needs no review.
  if (context.reviewed && hasChanges(changes))
    report.review = { differences: context.reviewed.differences(stack.name, saved) };
}

/**
 * Nothing was ever applied where the stack's state lives (or an emulator started afresh): its state
 * holds no resource, and none was deleted outside Terraform. What the plan would create is not drift.
 */
export function holdsNoState(plan: PlanJson): boolean {
  // Data sources are read into the prior state on every plan; only managed resources say something was applied.
  const managed = (plan.prior_state?.values?.root_module?.resources ?? []).filter(
    (resource) => resource.mode === 'managed',
  );
  return managed.length === 0 && (plan.resource_drift ?? []).length === 0;
}

export async function driftStack(context: StepContext, stack: FleetStack, report: StackReport): Promise<void> {
  const workspace = await context.workspace(report);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-drift-'));
  try {
    const plan = await context.retrying(report, 'plan', () =>
      planAndShow(workspace, path.join(scratch, 'drift.tfplan')),
    );
    const unmanaged = acknowledge(stack.environment, await context.unmanaged(stack));
    // Terraform reports drift only as far as it changes the plan: a plan without changes has none.
    report.changes = plan === undefined ? noChanges(stack) : stackChanges(plan, stack);
    report.drift = {
      resources: plan === undefined ? [] : driftedResources(plan, stack),
      unmanagedDestinations: unmanaged.unmanagedDestinations,
      unmanagedSets: unmanaged.unmanagedSets,
      ...(unmanaged.acknowledged.length > 0 ? { acknowledged: unmanaged.acknowledged } : {}),
      ...(unmanaged.expired.length > 0 ? { expired: unmanaged.expired } : {}),
    };
    report.outcome =
      plan !== undefined && holdsNoState(plan)
        ? 'no-state'
        : hasDrift(report.drift) || hasChanges(report.changes)
          ? 'drifted'
          : 'in-sync';
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Applies `planFile`: the verified copy of the stack's saved plan (see guardrails.verifyPlanFile),
 * never the file in the plans folder, which could be swapped after it was checked.
 */
export async function applyStack(
  context: StepContext,
  report: StackReport,
  saved: SavedPlan,
  planFile: string,
): Promise<void> {
  const { plans } = context;
  if (!hasChanges(saved.changes)) {
    plans.discard(report.stack);
    report.outcome = 'no-changes';
    return;
  }
  const workspace = await context.workspace(report);
  plans.markApplying(report.stack, saved.creates);
  try {
    await context.retrying(report, 'apply', async (attempt) => {
      if (attempt === 1) await workspace.sharingProvider((attached) => attached.apply(planFile));
      else await applyRemaining(context, workspace, saved);
    });
  } finally {
    // Terraform has recorded in the state whatever it did, unless it was interrupted: then requests it
    // cancelled may still have created objects, which the next plan takes over (recovery.ts).
    if (!context.interrupted()) plans.clearApplying(report.stack);
  }
  plans.discard(report.stack);
  report.outcome = 'applied';
}

/**
 * After a transient failure part of the saved plan may be applied, so the plan file is stale. The
 * rest is planned again and applied only if it stays within what was reviewed.
 */
async function applyRemaining(context: StepContext, workspace: TerraformWorkspace, reviewed: SavedPlan) {
  const planFile = path.join(context.plans.dir, `${workspace.name}.remaining.tfplan`);
  try {
    const remaining = await planAndShow(workspace, planFile);
    // The failed attempt applied everything after all (the error came after the last change).
    if (remaining === undefined) return;
    const beyond = beyondReviewed(reviewed, remaining);
    if (beyond.length > 0)
      throw new Error(
        `after a transient failure, the remaining changes go beyond the reviewed plan (${beyond.join(', ')}): nothing more was applied; run ${context.planCommand(workspace.name)} and review again.`,
      );
    await workspace.sharingProvider((attached) => attached.apply(planFile));
  } finally {
    fs.rmSync(planFile, { force: true });
  }
}
