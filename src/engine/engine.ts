/**
 * The plan/apply engine: drives the real `terraform` binary in each synthesized stack folder, many
 * stacks at once, and reports in SES terms.
 *   plan     synth, init (only when the backend or providers changed), plan -out, show -json
 *   apply    exactly the saved plans, wave by wave, stopping after a wave with a failure
 *   drift    refresh and compare, plus what only the SES API shows
 *   rollout  plan, then apply wave by wave, with a confirmation per wave unless auto-approved
 * A failing stack never stops its wave's other stacks; it stops the waves after it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../app';
import { mapLimit } from '../concurrency';
import type { CostReport } from '../cost/cost-model';
import type { LoadedEnvironment } from '../environment/loader';
import { LOCAL_CREDENTIALS_ENV, LocalTarget } from '../local/local-target';
import { createLocalStateBuckets } from '../local/state-buckets';
import { StackStepError, StackWorkspace } from '../terraform/stack-workspace';
import { errorSummary, terraformEnvironment } from '../terraform/terraform';
import { driftedResources, hasChanges, stackChanges } from './changes';
import { countsText } from './render';
import { lockOf } from './locks';
import { PlanStore, SavedPlan, beyondReviewed, configHash, pendingCreates, plannedActions } from './plan-store';
import { RunReport, StackReport, exitCodeOf, hasDrift } from './report';
import { withRetries } from './retry';
import { StackTarget, wavesOf } from './targets';
import { unmanagedOf } from './unmanaged';

export interface EngineOptions {
  /** The stacks to work on (selected, and sharded). */
  readonly targets: readonly StackTarget[];
  /** Every stack of every environment file: drift calls a set unmanaged only if none declares it. */
  readonly everyTarget: readonly StackTarget[];
  /** The environments of `targets`, to synthesize. */
  readonly environments: readonly LoadedEnvironment[];
  /** The cost model of `environments`, for the metric figures. */
  readonly cost: CostReport;
  readonly outdir: string;
  readonly plans: PlanStore;
  readonly concurrency: number;
  /** Retargets the stacks at the emulator. */
  readonly local?: LocalTarget;
  /** `I/N` when this run is one shard. */
  readonly shard?: string;
  /** One line per stack and step while the run works. */
  readonly progress: (line: string) => void;
  /** How `sesform` is invoked in the commands that reports suggest. */
  readonly invocation?: string;
}

export interface ApplyOptions {
  /** Configuration sets that may be destroyed or replaced in protected environments. */
  readonly allowDestroy: readonly string[];
  /** Asked before each wave; `undefined` applies without asking (--auto-approve). */
  readonly confirm?: (question: string) => Promise<boolean>;
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

export class Engine {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: EngineOptions) {
    this.env = terraformEnvironment(options.local ? LOCAL_CREDENTIALS_ENV : {});
  }

  async plan(): Promise<RunReport> {
    const report = this.newReport('plan');
    if (!(await this.prepare(report))) return this.finish(report);
    await this.forEachStack(report, report.stacks, (stack) => this.planStack(stack));
    return this.finish(report);
  }

  async apply(options: ApplyOptions): Promise<RunReport> {
    const report = this.newReport('apply');
    if (!(await this.prepare(report))) return this.finish(report);
    const saved = this.savedPlans(report);
    if (saved === undefined) return this.finish(report);
    await this.applyWaves(report, saved, options);
    return this.finish(report);
  }

  async rollout(options: ApplyOptions): Promise<RunReport> {
    const report = this.newReport('rollout');
    if (!(await this.prepare(report))) return this.finish(report);
    await this.forEachStack(report, report.stacks, (stack) => this.planStack(stack));
    if (report.stacks.some((stack) => stack.outcome === 'failed')) {
      for (const stack of report.stacks) if (stack.outcome === 'planned') stack.outcome = 'not-touched';
      report.stopped = 'Planning failed, so nothing was applied.';
      return this.finish(report);
    }
    const saved = this.savedPlans(report);
    if (saved !== undefined) await this.applyWaves(report, saved, options);
    return this.finish(report);
  }

  async drift(): Promise<RunReport> {
    const report = this.newReport('drift');
    if (!(await this.prepare(report))) return this.finish(report);
    await this.forEachStack(report, report.stacks, (stack) => this.driftStack(stack));
    return this.finish(report);
  }

  // --- steps ---------------------------------------------------------------------------------------

  private async planStack(stack: StackReport): Promise<void> {
    const workspace = await this.workspace(stack);
    await this.takeOverInterruptedApply(stack, workspace);
    const planFile = this.options.plans.prepare(stack.stack);
    const plan = await this.retrying(stack, 'plan', () => planAndShow(workspace, planFile));
    const changes = stackChanges(plan, this.costOf(stack.stack));
    const saved: SavedPlan = {
      stack: stack.stack,
      configHash: configHash(workspace.dir),
      createdAt: new Date().toISOString(),
      changes,
      actions: plannedActions(plan),
      creates: pendingCreates(plan),
    };
    this.options.plans.save(saved);
    stack.changes = changes;
    stack.outcome = hasChanges(changes) ? 'planned' : 'no-changes';
  }

  private async driftStack(stack: StackReport): Promise<void> {
    const workspace = await this.workspace(stack);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-drift-'));
    try {
      const planFile = path.join(scratch, 'drift.tfplan');
      const plan = await this.retrying(stack, 'plan', () => planAndShow(workspace, planFile));
      const target = this.targetOf(stack.stack);
      const unmanaged = await unmanagedOf(target, this.options.everyTarget, this.options.local);
      stack.changes = stackChanges(plan, this.costOf(stack.stack));
      stack.drift = { resources: driftedResources(plan), ...unmanaged };
      stack.outcome = hasDrift(stack.drift) || hasChanges(stack.changes) ? 'drifted' : 'in-sync';
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  private async applyStack(stack: StackReport, saved: SavedPlan): Promise<void> {
    const { plans } = this.options;
    if (!hasChanges(saved.changes)) {
      plans.discard(stack.stack);
      stack.outcome = 'no-changes';
      return;
    }
    const workspace = await this.workspace(stack);
    plans.markApplying(stack.stack, saved.creates);
    try {
      await this.retrying(stack, 'apply', async (attempt) => {
        if (attempt === 1) return workspace.apply(plans.planFile(stack.stack));
        return this.applyRemaining(workspace, saved);
      });
    } finally {
      // Reached only while this process lives: Terraform has recorded in the state whatever it did.
      plans.clearApplying(stack.stack);
    }
    plans.discard(stack.stack);
    stack.outcome = 'applied';
  }

  /**
   * After a transient failure part of the saved plan may be applied, so the plan file is stale. The
   * rest is planned again and applied only if it stays within what was reviewed.
   */
  private async applyRemaining(workspace: StackWorkspace, reviewed: SavedPlan) {
    const planFile = path.join(this.options.plans.dir, `${workspace.name}.remaining.tfplan`);
    try {
      const beyond = beyondReviewed(reviewed, await planAndShow(workspace, planFile));
      if (beyond.length > 0)
        throw new Error(
          `after a transient failure, the remaining changes go beyond the reviewed plan (${beyond.join(', ')}): nothing more was applied; run ${this.command('plan', workspace.name)} and review again.`,
        );
      return await workspace.apply(planFile);
    } finally {
      fs.rmSync(planFile, { force: true });
    }
  }

  /**
   * An apply killed before it finished may have created sets and destinations that its state never
   * recorded (Terraform writes state at the end). They are imported, so that nothing is created twice.
   */
  private async takeOverInterruptedApply(stack: StackReport, workspace: StackWorkspace): Promise<void> {
    const pending = this.options.plans.interruptedApply(stack.stack);
    if (pending === undefined) return;
    const inState = new Set(await workspace.stateAddresses());
    for (const { address, importId } of pending) {
      if (inState.has(address)) continue;
      try {
        await workspace.import(address, importId);
        stack.recovered.push(`${address} (${importId}), created by an interrupted apply, imported into the state`);
      } catch (error) {
        // Not created before the process died: the plan creates it as usual.
        if (!(error instanceof StackStepError && /non-existent remote object/i.test(error.result.stderr))) throw error;
      }
    }
    this.options.plans.clearApplying(stack.stack);
  }

  // --- waves and guardrails ------------------------------------------------------------------------

  /** The saved plan of every stack, or undefined after marking why not (nothing is applied then). */
  private savedPlans(report: RunReport): Map<string, SavedPlan> | undefined {
    const saved = new Map<string, SavedPlan>();
    for (const stack of report.stacks) {
      if (stack.outcome === 'failed') continue;
      const plan = this.options.plans.load(stack.stack);
      const dir = path.join(this.options.outdir, 'stacks', stack.stack);
      if (plan === undefined) this.fail(stack, `no saved plan: run ${this.command('plan', stack.stack)} first.`);
      else if (this.options.plans.interruptedApply(stack.stack) !== undefined)
        this.fail(
          stack,
          `an earlier apply of this plan was interrupted: run ${this.command('plan', stack.stack)} (it takes over what that apply created), then apply.`,
        );
      else if (plan.configHash !== configHash(dir))
        this.fail(
          stack,
          `the saved plan was made from another configuration (the environment files${this.options.local ? ', or the emulator,' : ''} changed since): run ${this.command('plan', stack.stack)} again and review it.`,
        );
      else {
        stack.changes = plan.changes;
        saved.set(stack.stack, plan);
      }
    }
    if (report.stacks.some((stack) => stack.outcome === 'failed')) {
      this.untouched(report);
      report.stopped = 'Some saved plans are missing or stale, so nothing was applied.';
      return undefined;
    }
    return saved;
  }

  /** Destroys and replacements of configuration sets in protected environments that --allow-destroy does not name. */
  private refusals(report: RunReport, allowDestroy: readonly string[]): string[] {
    return report.stacks.flatMap((stack) => {
      const target = this.targetOf(stack.stack);
      return (stack.changes?.configurationSets ?? [])
        .filter((set) => set.action === 'delete' || set.action === 'replace')
        .filter((set) => {
          const declared = target.environment.configurationSets.find((candidate) => candidate.name === set.name);
          return (declared?.protect ?? target.environment.protect) && !allowDestroy.includes(set.name);
        })
        .map(
          (set) =>
            `${stack.stack}: the plan ${set.action === 'delete' ? 'destroys' : 'replaces'} configuration set "${set.name}" of protected environment "${target.environment.name}" (${target.file}). Sending with this set fails while it is gone. If that is intended, apply with --allow-destroy ${set.name}.`,
        );
    });
  }

  private async applyWaves(report: RunReport, saved: Map<string, SavedPlan>, options: ApplyOptions): Promise<void> {
    report.refusals.push(...this.refusals(report, options.allowDestroy));
    if (report.refusals.length > 0) {
      this.untouched(report);
      report.stopped = 'Refused by destroy protection: nothing was applied.';
      return;
    }
    for (const { wave, members } of wavesOf(report.stacks)) {
      const toApply = members.filter((stack) => hasChanges(saved.get(stack.stack)!.changes));
      for (const stack of members) if (!toApply.includes(stack)) stack.outcome = 'no-changes';
      if (toApply.length === 0) continue;
      if (options.confirm && !(await options.confirm(this.waveQuestion(wave, toApply)))) {
        this.untouched(report);
        report.stopped = `Stopped before wave ${wave}: not confirmed. Waves before it are applied; the rest was not touched.`;
        return;
      }
      this.options.progress(`wave ${wave}: applying ${toApply.map((stack) => stack.stack).join(', ')}`);
      await this.forEachStack(report, toApply, (stack) => this.applyStack(stack, saved.get(stack.stack)!));
      const failed = toApply.filter((stack) => stack.outcome === 'failed');
      if (failed.length > 0) {
        this.untouched(report);
        const applied = report.stacks.filter((stack) => stack.outcome === 'applied').map((stack) => stack.stack);
        const untouched = report.stacks.filter((stack) => stack.outcome === 'not-touched').map((stack) => stack.stack);
        report.stopped = `Wave ${wave} failed (${failed.map((stack) => stack.stack).join(', ')}): applied ${applied.join(', ') || 'nothing'}; not touched ${untouched.join(', ') || 'nothing'}. Fix the cause and run again: what was applied is not applied twice.`;
        return;
      }
    }
  }

  private waveQuestion(wave: number, stacks: readonly StackReport[]): string {
    const lines = stacks.map(
      (stack) => `  ${stack.stack} (account ${stack.accountId}): ${stack.changes ? countsText(stack.changes) : ''}`,
    );
    return `Apply wave ${wave}?\n${lines.join('\n')}\n[y/N] `;
  }

  // --- plumbing ------------------------------------------------------------------------------------

  private newReport(command: RunReport['command']): RunReport {
    return {
      command,
      local: this.options.local !== undefined,
      ...(this.options.shard ? { shard: this.options.shard } : {}),
      stacks: this.options.targets.map((target) => ({
        stack: target.stack,
        environment: target.environment.name,
        accountId: target.environment.accountId,
        region: target.region,
        wave: target.wave,
        protect: target.environment.protect,
        outcome: 'not-touched',
        retries: [],
        recovered: [],
      })),
      refusals: [],
      exitCode: 0,
    };
  }

  private finish(report: RunReport): RunReport {
    report.exitCode = exitCodeOf(report);
    return report;
  }

  /**
   * Synthesizes the stacks, and in local mode checks that the emulator answers and holds the state
   * buckets. False, with every stack failed, when the emulator cannot be reached.
   */
  private async prepare(report: RunReport): Promise<boolean> {
    const { local, environments, outdir } = this.options;
    if (local) {
      const problem = await unreachable(local.endpoint);
      if (problem !== undefined) {
        for (const stack of report.stacks)
          this.fail(
            stack,
            `the emulator at ${local.endpoint} is not reachable (${problem}); nothing was run. Start one with \`sesform emulator\`, or leave out --endpoint and sesform starts its own.`,
          );
        return false;
      }
    }
    synthesize(environments, outdir, { removeOrphans: false, local });
    if (local)
      await createLocalStateBuckets(
        local,
        environments.map(({ environment }) => environment),
      );
    return true;
  }

  /** The stack's workspace, initialized. */
  private async workspace(stack: StackReport): Promise<StackWorkspace> {
    const workspace = StackWorkspace.in(this.options.outdir, stack.stack, this.env);
    const reconfigure = this.options.local !== undefined;
    await this.retrying(stack, 'init', () => workspace.initIfNeeded({ reconfigure }));
    return workspace;
  }

  private retrying<T>(stack: StackReport, step: string, work: (attempt: number) => Promise<T>): Promise<T> {
    return withRetries(work, {
      onRetry: (attempt, cause, delayMs) => {
        const line = `${step} attempt ${attempt} after ${(delayMs / 1000).toFixed(1)} s: ${cause}`;
        stack.retries.push(line);
        this.options.progress(`${stack.stack}: retrying ${line}`);
      },
    });
  }

  /** Runs `work` for each stack, at most `concurrency` at once; a failure marks that stack only. */
  private async forEachStack(
    report: RunReport,
    stacks: readonly StackReport[],
    work: (stack: StackReport) => Promise<void>,
  ): Promise<void> {
    let done = 0;
    await mapLimit(stacks, this.options.concurrency, async (stack) => {
      const since = Date.now();
      try {
        await work(stack);
      } catch (error) {
        this.fail(stack, error);
      }
      stack.seconds = seconds(since);
      done++;
      const detail = stack.error ? `FAILED: ${stack.error.split('\n')[0]}` : stack.outcome;
      this.options.progress(
        `[${done}/${stacks.length}] ${report.command} ${stack.stack}: ${detail} (${stack.seconds} s)`,
      );
    });
  }

  private fail(stack: StackReport, error: unknown): void {
    stack.outcome = 'failed';
    if (error instanceof StackStepError) {
      const output = `${error.result.stderr}\n${error.result.stdout}`;
      stack.lock = lockOf(output, (id) => this.command('unlock', stack.stack, `--lock-id ${id}`));
      const { lock } = stack;
      if (lock)
        stack.error = `terraform ${error.step}: the state is locked by ${lock.operation} of ${lock.who} since ${lock.created}.`;
      else if (/Saved plan is stale/.test(output))
        stack.error = `terraform ${error.step}: the saved plan no longer matches the state (something was applied since it was made): run ${this.command('plan', stack.stack)} again.`;
      else stack.error = `terraform ${error.step} failed (exit ${error.result.code}):\n${errorSummary(error.result)}`;
    } else stack.error = error instanceof Error ? error.message : String(error);
  }

  private untouched(report: RunReport): void {
    for (const stack of report.stacks)
      if (stack.outcome === 'planned' || stack.outcome === 'not-touched') stack.outcome = 'not-touched';
  }

  private targetOf(stack: string): StackTarget {
    return this.options.targets.find((target) => target.stack === stack)!;
  }

  private costOf(stack: string) {
    return this.options.cost.stacks.find((cost) => cost.stack === stack);
  }

  /** A sesform command line for a stack, as reports suggest it. */
  private command(command: string, stack: string, extra = ''): string {
    const target = this.targetOf(stack);
    const local = !this.options.local
      ? ''
      : command === 'unlock'
        ? ' --local'
        : ` --local --endpoint ${this.options.local.endpoint}`;
    const selector = command === 'unlock' ? `--stack ${stack}` : `--env ${target.environment.name}`;
    return `\`${this.options.invocation ?? 'sesform'} ${command} ${selector}${extra ? ` ${extra}` : ''}${local}\``;
  }
}

/** A saved plan and its JSON, with one provider process for both steps. */
function planAndShow(workspace: StackWorkspace, planFile: string) {
  return workspace.sharingProvider(async (sharing) => {
    await sharing.plan(planFile);
    return sharing.showPlan(planFile);
  });
}

/** Why the emulator's port does not accept a connection, or undefined when it does. */
async function unreachable(endpoint: string, timeoutMs = 3000): Promise<string | undefined> {
  const url = new URL(endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done());
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Clears a state lock left by a terraform process that is gone, in the stack's synthesized folder. */
export async function unlockStack(outdir: string, stack: string, lockId: string, local: boolean): Promise<void> {
  const workspace = StackWorkspace.in(outdir, stack, terraformEnvironment(local ? LOCAL_CREDENTIALS_ENV : {}));
  if (!fs.existsSync(path.join(workspace.dir, '.terraform')))
    throw new Error(`stack ${stack} has no initialized folder in ${outdir}: nothing to unlock there.`);
  await workspace.forceUnlock(lockId);
}
