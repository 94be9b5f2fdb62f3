/**
 * The plan/apply engine: drives the real `terraform` binary in each synthesized stack folder, many
 * stacks at once, and reports in SES terms.
 *   plan     synth, init (only when the backend or providers changed), plan -out, and show -json
 *            when the plan changes something
 *   apply    exactly the saved plans, wave by wave, stopping after a wave with a failure
 *   drift    refresh and compare, plus what only the SES API shows
 *   rollout  plan, then apply wave by wave, with a confirmation per wave unless auto-approved; with
 *            --reviewed, only when every plan with changes is the one a review approved (review.ts)
 * A failing stack never stops its wave's other stacks; it stops the waves after it. The per-stack
 * steps, the guardrails, recovery and scheduling live in their own modules beside this one; Terraform
 * is reached only through a TerraformRunner (terraform/runner.ts), the real one by default.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../app';
import { mapLimit } from '../concurrency';
import type { FleetStack } from '../fleet/fleet';
import { LocalTarget, terraformEnvironmentFor } from '../local/local-target';
import { createLocalStateBuckets } from '../local/state-buckets';
import { TerraformCli } from '../terraform/terraform-cli';
import type { TerraformRunner, TerraformWorkspace } from '../terraform/runner';
import { StackStepError } from '../terraform/errors';
import type { StackChanges } from '../report/change-model';
import { hasChanges, noChanges } from './changes';
import { destroyRefusals, savedPlanCheck, verifyPlanFile } from './guardrails';
import type { PlanStore, SavedPlan } from './plan-store';
import { describeFailure } from './recovery';
import { changeLines, countsText } from '../report/text';
import { terminalLine } from '../format';
import { Refusal, RunReport, StackReport, exitCodeOf, unreviewedStacks } from '../report/run-report';
import type { ReviewedPlans } from './review';
import { withRetries } from './retry';
import { wavesOf } from '../report/waves';
import { StackVerification, verificationFailed } from '../report/verify-report';
import { StepContext, applyStack, driftStack, planStack } from './stack-steps';
import type { StepEvent } from './progress-display';
import { Unmanaged, unmanagedOf } from './unmanaged';
import { formatSeconds } from '../format';

export interface EngineOptions {
  /** The stacks to work on (selected, and sharded), from the fleet model. */
  readonly stacks: readonly FleetStack[];
  /** Every stack of every environment file: drift calls a set unmanaged only if none declares it. */
  readonly everyStack: readonly FleetStack[];
  readonly outdir: string;
  readonly plans: PlanStore;
  readonly concurrency: number;
  /** Retargets the stacks at the emulator. */
  readonly local?: LocalTarget;
  /** `I/N` when this run is one shard. */
  readonly shard?: string;
  /** The stacks assume their plan roles (`withPlanRole`): plans are saved as never to be applied. */
  readonly readOnly?: boolean;
  /** The plans a review approved (--reviewed): rollout applies only plans identical to them. */
  readonly reviewed?: ReviewedPlans;
  /** Free-form lines while the run works (waves, retries, notes). */
  readonly progress: (line: string) => void;
  /** Each stack's steps as they start and end (the live display, or a line each). */
  readonly step?: (event: StepEvent) => void;
  /** Terraform for the run's stacks; default the real binary (TerraformCli). Tests give a scripted one. */
  readonly terraform?: TerraformRunner;
  /** What drift reads through the SES API; default unmanagedOf with the stack's role. */
  readonly unmanaged?: (stack: FleetStack) => Promise<Unmanaged>;
}

export interface ApplyOptions {
  /** Configuration sets that may be destroyed or replaced in protected environments. */
  readonly allowDestroy: readonly string[];
  /** Asked before each wave; `undefined` applies without asking (--auto-approve). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Checks each wave's stacks once it is rolled out (rollout --verify); a failed check stops the waves after it. */
  readonly verifyWave?: (stacks: readonly FleetStack[]) => Promise<readonly StackVerification[]>;
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

export class Engine {
  private readonly byName: ReadonlyMap<string, FleetStack>;
  private readonly steps: StepContext;
  private interruptedBy?: NodeJS.Signals;
  private readonly terraform: TerraformRunner;
  /** Each stack's workspace once initialized: the run's later steps in it need no init check. */
  private readonly initialized = new Map<string, TerraformWorkspace>();

  constructor(private readonly options: EngineOptions) {
    this.terraform =
      options.terraform ??
      new TerraformCli({
        outdir: options.outdir,
        env: terraformEnvironmentFor(options.local !== undefined),
        local: options.local !== undefined,
        lock: options.readOnly !== true,
        progress: options.progress,
      });
    this.byName = new Map(options.stacks.map((stack) => [stack.name, stack]));
    this.steps = {
      plans: options.plans,
      workspace: (report) => this.workspace(report),
      unmanaged: (stack) =>
        options.unmanaged ? options.unmanaged(stack) : unmanagedOf(stack, options.everyStack, options.local),
      retrying: (report, step, work) => this.retrying(report, step, work),
      planCommand: (stack) => this.command('plan', stack),
      interrupted: () => this.interruptedBy !== undefined,
      readOnly: options.readOnly === true,
      reviewed: options.reviewed,
    };
  }

  /**
   * Stops the run as Ctrl-C should: each running terraform gets the signal once and finishes its
   * calls, writes its state and releases its lock; no other stack or wave starts; the report says what
   * was applied, interrupted and not touched. Resolves when the terraform processes have exited.
   */
  async interrupt(signal: NodeJS.Signals): Promise<void> {
    if (this.interruptedBy !== undefined) return;
    this.interruptedBy = signal;
    this.options.progress(`${signal}: stopping; running terraform steps finish their calls and release their locks`);
    await this.terraform.interrupt(signal);
  }

  /** Stops the run's provider processes; says how many served how many stacks. */
  async close(): Promise<void> {
    for (const line of await this.terraform.close()) this.options.progress(line);
  }

  async plan(): Promise<RunReport> {
    const report = this.newReport('plan');
    if (!(await this.prepare(report))) return this.finish(report);
    await this.forEachStack(report, report.stacks, (stack) => planStack(this.steps, this.stackOf(stack), stack));
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
    await this.forEachStack(report, report.stacks, (stack) => planStack(this.steps, this.stackOf(stack), stack));
    if (report.stacks.some((stack) => stack.outcome === 'failed')) {
      this.untouched(report);
      report.stopped = 'Planning failed, so nothing was applied.';
      return this.finish(report);
    }
    if (!this.onlyReviewedPlans(report)) return this.finish(report);
    const saved = this.savedPlans(report);
    if (saved !== undefined) await this.applyWaves(report, saved, options);
    return this.finish(report);
  }

  async drift(): Promise<RunReport> {
    const report = this.newReport('drift');
    if (!(await this.prepare(report))) return this.finish(report);
    await this.forEachStack(report, report.stacks, (stack) => driftStack(this.steps, this.stackOf(stack), stack));
    return this.finish(report);
  }

  // --- waves and guardrails ------------------------------------------------------------------------

  /**
   * rollout --reviewed: every plan with changes is the one the review approved, or nothing is applied
   * and the report (these new plans) goes back to review.
   */
  private onlyReviewedPlans(report: RunReport): boolean {
    const unreviewed = unreviewedStacks(report);
    if (unreviewed.length === 0) return true;
    report.refusals.push(
      ...unreviewed.map((stack): Refusal => ({
        stack: stack.stack,
        reason: 'not-reviewed',
        message: `not the plan reviewed: ${stack.review!.differences.join('; ')}`,
      })),
    );
    this.untouched(report);
    report.stopped =
      'Some plans are not the ones reviewed, so nothing was applied. This report shows the plans as they are now: have them reviewed (their records are in the plans folder), then roll out with those.';
    return false;
  }

  /** The saved plan of every stack, or undefined after marking why not (nothing is applied then). */
  private savedPlans(report: RunReport): Map<string, SavedPlan> | undefined {
    const saved = new Map<string, SavedPlan>();
    for (const stack of report.stacks) {
      if (stack.outcome === 'failed') continue;
      const checked = savedPlanCheck(this.stackOf(stack), this.options.plans, this.options.outdir, {
        planCommand: this.command('plan', stack.stack),
        local: this.options.local !== undefined,
      });
      // The record's changes are never shown: what a stack's report says comes from its plan file
      // (applyVerified), or from the fleet model when the record says there is nothing to apply.
      if ('problem' in checked) this.fail(stack, new Error(checked.problem));
      else saved.set(stack.stack, checked.plan);
    }
    if (report.stacks.some((stack) => stack.outcome === 'failed')) {
      this.untouched(report);
      report.stopped = 'Some saved plans are missing or stale, so nothing was applied.';
      return undefined;
    }
    return saved;
  }

  /**
   * Every plan file that will be applied, verified before any stack is touched (see verifyPlanFile):
   * undefined, with the stacks failed, when any does not match its record.
   */
  private async verifiedPlans(
    report: RunReport,
    saved: Map<string, SavedPlan>,
    into: string,
  ): Promise<Map<string, { planFile: string; changes: StackChanges }> | undefined> {
    const verified = new Map<string, { planFile: string; changes: StackChanges }>();
    const pending = report.stacks.filter((stack) => hasChanges(saved.get(stack.stack)!.changes));
    await mapLimit(pending, this.options.concurrency, async (stack) => {
      try {
        const workspace = await this.workspace(stack);
        const plan = saved.get(stack.stack)!;
        const planCommand = this.command('plan', stack.stack);
        verified.set(
          stack.stack,
          await verifyPlanFile(this.stackOf(stack), plan, this.options.plans, workspace, into, planCommand),
        );
      } catch (error) {
        this.fail(stack, error);
      }
    });
    if (!pending.some((stack) => stack.outcome === 'failed')) return verified;
    this.untouched(report);
    report.stopped = 'A saved plan file does not match its record, so nothing was applied in any stack.';
    return undefined;
  }

  private async applyWaves(report: RunReport, saved: Map<string, SavedPlan>, options: ApplyOptions): Promise<void> {
    // The plan files are copied where only this run writes, and the copies are what terraform applies.
    const into = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-apply-'));
    try {
      const verified = await this.verifiedPlans(report, saved, into);
      if (verified !== undefined) await this.applyVerified(report, saved, verified, options);
    } finally {
      fs.rmSync(into, { recursive: true, force: true });
    }
  }

  private async applyVerified(
    report: RunReport,
    saved: Map<string, SavedPlan>,
    verified: Map<string, { planFile: string; changes: StackChanges }>,
    options: ApplyOptions,
  ): Promise<void> {
    // The report shows, and the guardrail reads, what the files themselves do, never their records.
    for (const stack of report.stacks) {
      const plan = saved.get(stack.stack)!;
      stack.changes =
        verified.get(stack.stack)?.changes ?? (hasChanges(plan.changes) ? undefined : noChanges(this.stackOf(stack)));
    }
    report.refusals.push(
      ...report.stacks.flatMap((stack) =>
        destroyRefusals(
          this.stackOf(stack),
          verified.get(stack.stack)?.changes ?? saved.get(stack.stack)!.changes,
          options.allowDestroy,
        ),
      ),
    );
    if (report.refusals.length > 0) {
      this.untouched(report);
      report.stopped = 'Refused by destroy protection: nothing was applied.';
      return;
    }
    for (const { wave, members } of wavesOf(report.stacks)) {
      if (this.interruptedBy !== undefined) return;
      const toApply = members.filter((stack) => hasChanges(saved.get(stack.stack)!.changes));
      for (const stack of members) if (!toApply.includes(stack)) stack.outcome = 'no-changes';
      if (toApply.length === 0) {
        if (!(await this.verifiedWave(report, wave, members, options))) return;
        continue;
      }
      if (options.confirm && !(await options.confirm(this.waveQuestion(wave, toApply)))) {
        this.untouched(report);
        report.stopped = `Stopped before wave ${wave}: not confirmed. Waves before it are applied; the rest was not touched.`;
        return;
      }
      this.options.progress(`wave ${wave}: applying ${toApply.map((stack) => stack.stack).join(', ')}`);
      await this.forEachStack(report, toApply, (stack) =>
        applyStack(this.steps, stack, saved.get(stack.stack)!, verified.get(stack.stack)!.planFile),
      );
      const failed = toApply.filter((stack) => stack.outcome === 'failed');
      if (failed.length > 0) {
        this.untouched(report);
        const applied = report.stacks.filter((stack) => stack.outcome === 'applied').map((stack) => stack.stack);
        const untouched = report.stacks.filter((stack) => stack.outcome === 'not-touched').map((stack) => stack.stack);
        report.stopped = `Wave ${wave} failed (${failed.map((stack) => stack.stack).join(', ')}): ${outcomeList([
          ['applied', applied],
          ['not touched', untouched],
        ])}. Fix the cause and run again: what was applied is not applied twice.`;
        return;
      }
      if (!(await this.verifiedWave(report, wave, members, options))) return;
    }
  }

  /** rollout --verify: the wave's metrics checked; false (later waves untouched) when one is missing. */
  private async verifiedWave(
    report: RunReport,
    wave: number,
    members: readonly StackReport[],
    options: ApplyOptions,
  ): Promise<boolean> {
    if (options.verifyWave === undefined || this.interruptedBy !== undefined) return true;
    this.options.progress(`wave ${wave}: verifying the metrics of ${members.map((stack) => stack.stack).join(', ')}`);
    const since = Date.now();
    for (const stack of members) this.options.step?.({ stack: stack.stack, step: 'verify', state: 'started' });
    const results = await options.verifyWave(members.map((stack) => this.stackOf(stack)));
    for (const result of results)
      this.options.step?.({
        stack: result.stack,
        step: 'verify',
        state: verificationFailed(result) ? 'failed' : 'finished',
        seconds: (Date.now() - since) / 1000,
      });
    report.verification = [...(report.verification ?? []), ...results];
    const failing = results.filter(verificationFailed);
    if (failing.length === 0) return true;
    this.untouched(report);
    report.stopped = `Wave ${wave} is applied, but verify found metrics missing in ${failing.map((stack) => stack.stack).join(', ')} (see the verification below): the waves after it were not touched.`;
    return false;
  }

  /** The wave's changes as the report shows them, values before -> after, then the question. */
  private waveQuestion(wave: number, stacks: readonly StackReport[]): string {
    const lines = stacks.flatMap((stack) => [
      `  ${stack.stack} (account ${stack.accountId}): ${stack.changes ? countsText(stack.changes) : ''}`,
      ...(stack.changes ? changeLines(stack.changes).map((line) => `      ${line}`) : []),
    ]);
    // Shown on the terminal: a value's control characters are shown, never sent.
    return `Apply wave ${wave}?\n${lines.map(terminalLine).join('\n')}\n[y/N] `;
  }

  // --- plumbing ------------------------------------------------------------------------------------

  private newReport(command: RunReport['command']): RunReport {
    return {
      command,
      local: this.options.local !== undefined,
      ...(this.options.shard ? { shard: this.options.shard } : {}),
      ...(this.options.readOnly ? { readOnly: true as const } : {}),
      ...(this.options.reviewed ? { reviewed: true as const } : {}),
      stacks: this.options.stacks.map((stack) => ({
        stack: stack.name,
        environment: stack.environment.name,
        accountId: stack.accountId,
        region: stack.region,
        wave: stack.wave,
        protect: stack.protect,
        outcome: 'not-touched',
        retries: [],
        recovered: [],
      })),
      refusals: [],
      exitCode: 0,
    };
  }

  private finish(report: RunReport): RunReport {
    if (this.interruptedBy !== undefined) {
      const applies = report.command === 'apply' || report.command === 'rollout';
      if (applies) this.untouched(report);
      const named = (...outcomes: StackReport['outcome'][]) =>
        report.stacks.filter((stack) => outcomes.includes(stack.outcome)).map((stack) => stack.stack);
      report.interrupted = this.interruptedBy;
      report.stopped = `Interrupted by ${this.interruptedBy}: ${outcomeList(
        applies
          ? [
              ['applied', named('applied')],
              ['interrupted', named('failed')],
              ['not touched', named('not-touched')],
            ]
          : [
              ['finished', named('planned', 'no-changes', 'in-sync', 'drifted', 'no-state')],
              ['interrupted', named('failed')],
              ['not started', named('not-touched')],
            ],
      )}.`;
    }
    report.exitCode = exitCodeOf(report);
    return report;
  }

  /**
   * Synthesizes the stacks, and in local mode checks that the emulator answers and holds the state
   * buckets. False, with every stack failed, when the emulator cannot be reached.
   */
  private async prepare(report: RunReport): Promise<boolean> {
    const { local, stacks, outdir } = this.options;
    if (local) {
      const problem = await unreachable(local.endpoint);
      if (problem !== undefined) {
        for (const stack of report.stacks)
          this.fail(
            stack,
            new Error(
              `the emulator at ${local.endpoint} is not reachable (${problem}); nothing was run. Start one with \`sesform emulator\`, or leave out --endpoint and sesform starts its own.`,
            ),
          );
        return false;
      }
    }
    synthesize({ stacks }, outdir, { removeOrphans: false, local });
    if (local)
      await createLocalStateBuckets(
        local,
        stacks.map((stack) => stack.environment),
      );
    return true;
  }

  /** The stack's workspace, initialized. */
  private async workspace(stack: StackReport): Promise<TerraformWorkspace> {
    const initialized = this.initialized.get(stack.stack);
    if (initialized !== undefined) return initialized;
    const workspace = this.terraform.workspace(stack.stack);
    // Shown only when init runs: a folder initialized for its current inputs is not initialized again.
    await this.retrying(stack, 'init', (_attempt, announce) => workspace.initIfNeeded(announce), { announced: false });
    this.initialized.set(stack.stack, workspace);
    for (const note of workspace.notes.splice(0)) {
      stack.retries.push(`init: ${note}`);
      this.options.progress(`${stack.stack}: ${note}`);
    }
    return workspace;
  }

  /**
   * Runs a step with retries, shown as started and finished. With `announced: false`, the step shows
   * only once `work` calls the announce function it is given (a step that may turn out to be nothing).
   */
  private async retrying<T>(
    stack: StackReport,
    step: string,
    work: (attempt: number, announce: () => void) => Promise<T>,
    { announced = true } = {},
  ): Promise<T> {
    let since = Date.now();
    let shown = false;
    const announce = () => {
      if (shown) return;
      shown = true;
      since = Date.now();
      this.options.step?.({ stack: stack.stack, step, state: 'started' });
    };
    if (announced) announce();
    try {
      const result = await withRetries((attempt) => work(attempt, announce), {
        onRetry: (attempt, cause, delayMs) => {
          const line = `${step} attempt ${attempt} after ${formatSeconds(delayMs / 1000)}: ${cause}`;
          stack.retries.push(line);
          this.options.progress(`${stack.stack}: retrying ${line}`);
        },
      });
      if (shown)
        this.options.step?.({ stack: stack.stack, step, state: 'finished', seconds: (Date.now() - since) / 1000 });
      return result;
    } catch (error) {
      announce();
      this.options.step?.({ stack: stack.stack, step, state: 'failed', seconds: (Date.now() - since) / 1000 });
      throw error;
    }
  }

  /** Runs `work` for each stack, at most `concurrency` at once; a failure marks that stack only. */
  private async forEachStack(
    report: RunReport,
    stacks: readonly StackReport[],
    work: (stack: StackReport) => Promise<void>,
  ): Promise<void> {
    let done = 0;
    await mapLimit(stacks, this.options.concurrency, async (stack) => {
      if (this.interruptedBy !== undefined) return;
      const since = Date.now();
      try {
        await work(stack);
      } catch (error) {
        this.fail(stack, error);
      }
      stack.seconds = seconds(since);
      done++;
      const detail = stack.error ? `FAILED: ${errorHeadline(stack.error)}` : stack.outcome;
      this.options.progress(
        `[${done}/${stacks.length}] ${report.command} ${stack.stack}: ${detail} (${stack.seconds} s)`,
      );
    });
  }

  private fail(stack: StackReport, error: unknown): void {
    stack.outcome = 'failed';
    const described = describeFailure(error, {
      plan: this.command('plan', stack.stack),
      unlock: (id) => this.command('unlock', stack.stack, `--lock-id ${id}`),
    });
    stack.error = this.interruptedBy ? `interrupted by ${this.interruptedBy}: ${described.error}` : described.error;
    if (described.lock) stack.lock = described.lock;
  }

  private untouched(report: RunReport): void {
    for (const stack of report.stacks)
      if (stack.outcome === 'planned' || stack.outcome === 'not-touched') stack.outcome = 'not-touched';
  }

  private stackOf(report: StackReport): FleetStack {
    return this.byName.get(report.stack)!;
  }

  /** A sesform command line for a stack, as reports suggest it. */
  private command(command: string, stack: string, extra = ''): string {
    const environment = this.byName.get(stack)!.environment.name;
    const local = !this.options.local
      ? ''
      : command === 'unlock'
        ? ' --local'
        : ` --local --endpoint ${this.options.local.endpoint}`;
    const selector = command === 'unlock' ? `--stack ${stack}` : `--env ${environment}`;
    return `\`sesform ${command} ${selector}${extra ? ` ${extra}` : ''}${local}\``;
  }
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

/**
 * One line for a progress line: the error's first line, and when that only introduces Terraform's
 * message ("terraform init failed (exit 1):"), that message's first line too.
 */
export function errorHeadline(error: string): string {
  const lines = error
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines[0]?.endsWith(':') && lines[1] !== undefined ? `${lines[0]} ${lines[1]}` : (lines[0] ?? '');
}

/**
 * "applied a, b; not touched c": only the lists that name a stack ("nothing was applied" when the
 * first is empty, so a reader never sees "applied nothing; not touched nothing").
 */
function outcomeList(parts: readonly (readonly [string, readonly string[]])[]): string {
  const named = parts.filter(([, stacks]) => stacks.length > 0).map(([what, stacks]) => `${what} ${stacks.join(', ')}`);
  const [first] = parts;
  return [...(first[1].length === 0 ? [`nothing was ${first[0]}`] : []), ...named].join('; ');
}

/**
 * Clears a state lock left by a terraform process that is gone, in the stack's synthesized folder;
 * false when no such lock is held (released already).
 */
export async function unlockStack(
  outdir: string,
  stack: string,
  lockId: string,
  local: boolean,
  terraform: TerraformRunner = new TerraformCli({ outdir, env: terraformEnvironmentFor(local), local, pooled: false }),
): Promise<boolean> {
  const workspace = terraform.workspace(stack);
  if (!fs.existsSync(path.join(workspace.dir, '.terraform')))
    throw new Error(`stack ${stack} has no initialized folder in ${outdir}: nothing to unlock there.`);
  try {
    await workspace.forceUnlock(lockId);
    return true;
  } catch (error) {
    if (error instanceof StackStepError && LOCK_GONE.test(error.output)) return false;
    throw error;
  }
}

/** What the S3 backend answers when the lock file is gone (Terraform prints S3's 404). */
const LOCK_GONE = /StatusCode: 404|NoSuchKey|NotFound|lock.*(?:not found|does not exist)|no lock/i;
