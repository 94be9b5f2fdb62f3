/**
 * The engine's commands as the CLI runs them: which stacks, where their files go, the emulator in
 * local mode, and the report in the requested forms. Loaded only when one of them runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { startEmulator } from '../emulator/emulator';
import { EXIT } from '../exit-codes';
import type { Fleet, FleetStack } from '../fleet/fleet';
import { SESFORM_VARIABLES, WORK_PATHS } from '../config';
import { LocalTarget, localEndpoint, localTarget } from '../local/local-target';
import { localProviderVersion } from '../terraform/terraform';
import { costView } from '../cost/cost-view';
import { runReportHtml } from '../report/html';
import type { EngineCommandName } from '../report/command-names';
import { Engine, unlockStack } from './engine';
import { ProgressDisplay, lineDisplay, progressDisplay } from './progress-display';
import { PlanStore } from './plan-store';
import { ReviewedPlans } from './review';
import { renderMarkdown, renderText } from '../report/text';
import { RunReport, mergeReports, parseReport } from '../report/run-report';
import { Shard, selectStacks } from './scheduling';

export interface EngineCommand {
  readonly command: EngineCommandName;
  /** The selected environments' fleet. */
  readonly fleet: Fleet;
  /** The fleet of every valid environment of the folder. */
  readonly everyStack: Fleet['stacks'];
  readonly local: boolean;
  readonly endpoint?: string;
  /** Synth output folder; default cdktf.json's (real) or .sesform/local/cdktf.out (local). */
  readonly output?: string;
  readonly plans?: string;
  /** plan, rollout: the folder of plan records a review approved. */
  readonly reviewed?: string;
  readonly concurrency: number;
  /** Only these waves, when given (one pipeline job per wave). */
  readonly waves?: readonly number[];
  readonly shard?: Shard;
  readonly json: boolean;
  readonly markdown?: string;
  /** Also write the report as one self-contained HTML file. */
  readonly html?: string;
  readonly allowDestroy: readonly string[];
  readonly autoApprove: boolean;
  /** plan and drift through the plan roles (the fleet's stacks carry them already, see withPlanRole). */
  readonly readOnly?: boolean;
  /** rollout: verify each wave's metrics after it is rolled out. */
  readonly verify?: boolean;
  /** Asks a yes/no question; default: on the terminal, refused elsewhere. */
  readonly prompt?: (question: string) => Promise<boolean>;
  readonly defaultOutput: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export async function runEngineCommand(options: EngineCommand): Promise<number> {
  const { shard } = options;
  const stacks = selectStacks(options.fleet.stacks, { waves: options.waves, shard });
  // apply applies plans that were reviewed already, like `terraform apply PLANFILE`: only rollout asks.
  const confirm = options.command === 'rollout' && !options.autoApprove ? askOnTerminal(options) : undefined;
  if (options.command === 'rollout' && !options.autoApprove && confirm === undefined)
    throw new Error('rollout asks before each wave, which needs a terminal: in a pipeline, pass --auto-approve.');
  const reviewed = options.reviewed !== undefined ? new ReviewedPlans(options.reviewed) : undefined;
  const report = await withLocalTarget(options, async (local) => {
    // A live table on a terminal, except while rollout asks its per-wave question there.
    const display =
      confirm === undefined
        ? progressDisplay(
            options.err,
            stacks.map((stack) => stack.name),
          )
        : lineDisplay((text) => options.err.write(text));
    const engine = new Engine({
      stacks,
      everyStack: options.everyStack,
      outdir: path.resolve(options.output ?? (local ? WORK_PATHS.localOutdir : options.defaultOutput)),
      plans: new PlanStore(options.plans ?? (local ? WORK_PATHS.localPlans : WORK_PATHS.plans)),
      concurrency: options.concurrency,
      local,
      shard: shard && `${shard.index}/${shard.count}`,
      readOnly: options.readOnly,
      reviewed,
      progress: (line) => display.line(line),
      step: (event) => display.step(event),
    });
    const applyOptions = {
      allowDestroy: options.allowDestroy,
      confirm,
      ...(options.verify ? { verifyWave: waveVerifier(options, local, display) } : {}),
    };
    try {
      return await whileHandlingSignals(engine, () => {
        if (options.command === 'plan') return engine.plan();
        if (options.command === 'apply') return engine.apply(applyOptions);
        if (options.command === 'drift') return engine.drift();
        return engine.rollout(applyOptions);
      });
    } finally {
      await engine.close();
      display.stop();
    }
  });
  report.cost = costView({ environments: options.fleet.environments, stacks });
  return writeReport(report, options);
}

/** rollout --verify: sesform verify on each wave's stacks (loaded only then: it brings the CloudWatch SDK). */
function waveVerifier(options: EngineCommand, local: LocalTarget | undefined, display: ProgressDisplay) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { verifyFleet } = require('../verify/verify-command') as typeof import('../verify/verify-command');
  return async (stacks: readonly FleetStack[]) =>
    (
      await verifyFleet({
        stacks,
        local,
        probe: false,
        concurrency: options.concurrency,
        progress: (line) => display.line(line),
      })
    ).stacks;
}

/** SIGINT and SIGTERM stop the engine's run (see Engine.interrupt) instead of the process: the report follows. */
async function whileHandlingSignals<T>(engine: Engine, run: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => void engine.interrupt(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run();
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Prints the report as asked (JSON on stdout, or text), writes the Markdown file; resolves to the exit code. */
export function writeReport(
  report: RunReport,
  options: Pick<EngineCommand, 'json' | 'markdown' | 'html' | 'out'>,
): number {
  if (options.markdown !== undefined) fs.writeFileSync(options.markdown, renderMarkdown(report));
  if (options.html !== undefined) fs.writeFileSync(options.html, runReportHtml(report));
  options.out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
  return report.exitCode;
}

/**
 * `sesform report FILE` prints a JSON report again (as text, JSON or Markdown); `sesform report --merge
 * FILES...` makes one report and one exit code from the JSON reports of shards. The CLI checks that
 * several files come with --merge.
 */
export function reportCommand(
  files: readonly string[],
  options: Pick<EngineCommand, 'json' | 'markdown' | 'html' | 'out'>,
): number {
  const reports = files.map((file) => {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile())
      throw new Error(
        `${file}: no such report file (a run writes one with --json, for example \`sesform plan --all --json > plan.json\`).`,
      );
    return parseReport(fs.readFileSync(file, 'utf8'), file);
  });
  return writeReport(reports.length === 1 ? reports[0] : mergeReports(reports), options);
}

export async function unlockCommand(options: {
  stack?: string;
  lockId?: string;
  local: boolean;
  output?: string;
  defaultOutput: string;
  out: NodeJS.WritableStream;
}): Promise<number> {
  if (options.stack === undefined || options.lockId === undefined)
    throw new Error('unlock needs --stack NAME and --lock-id ID (both are in the report that found the lock).');
  const outdir = path.resolve(options.output ?? (options.local ? WORK_PATHS.localOutdir : options.defaultOutput));
  const released = await unlockStack(outdir, options.stack, options.lockId, options.local);
  options.out.write(
    released
      ? `Released lock ${options.lockId} of ${options.stack}.\n`
      : `${options.stack} holds no lock ${options.lockId}: it was released already (the run that held it ended, or another unlock cleared it). Nothing to do.\n`,
  );
  return EXIT.ok;
}

/**
 * What to paste in another shell: commands that work as printed (plan exits 2 when it has changes, so
 * apply follows it with `;`, not `&&`; sesform is run through npx, not assumed on the PATH).
 */
export function emulatorHint(endpoint: string): string {
  return [
    `  export ${SESFORM_VARIABLES.localEndpoint}=${endpoint}`,
    '  npx sesform rollout --local --all --auto-approve      # plan, then apply wave by wave',
    '  npx sesform plan --local --all; npx sesform apply --local --all   # or: plan (exit 2: changes), then apply those plans',
    '  # and to look inside with the AWS CLI or boto3: eval "$(npx sesform emulator --print-env --env NAME)" (README)',
  ]
    .map((line) => `${line}\n`)
    .join('');
}

/** `sesform emulator`: an emulator that outlives one command, for plan and apply run separately in local mode. */
export async function emulatorCommand(out: NodeJS.WritableStream, { tls = false } = {}): Promise<number> {
  // Starting takes seconds (Python and moto load): say so at once.
  out.write(`Starting the emulator${tls ? ' (HTTPS)' : ''}...\n`);
  const emulator = await startEmulator({ tls });
  out.write(
    `Emulator listening on ${emulator.endpoint} (pid ${emulator.pid}); Ctrl-C stops it. In another shell:\n${emulatorHint(emulator.endpoint)}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.stop();
  return EXIT.ok;
}

/**
 * Runs `work` against the emulator: the one at --endpoint (or $SESFORM_LOCAL_ENDPOINT), else one
 * started for this command and stopped after it, whatever happens.
 */
async function withLocalTarget<T>(
  options: Pick<EngineCommand, 'local' | 'endpoint' | 'err'>,
  work: (local?: LocalTarget) => Promise<T>,
): Promise<T> {
  const mode = localEndpoint(options);
  if (!mode.local) return work(undefined);
  if (mode.endpoint) return work(localTarget(mode.endpoint, localProviderVersion()));
  // Python and moto take seconds to load: say so at once.
  options.err.write('starting the embedded emulator for this run...\n');
  const emulator = await startEmulator();
  options.err.write(`emulator started at ${emulator.endpoint} (pid ${emulator.pid}) for this run\n`);
  try {
    // On Ctrl-C the engine stops its terraform steps first; the emulator they use stops after them.
    return await work(localTarget(emulator.endpoint, localProviderVersion()));
  } finally {
    await emulator.stop();
    options.err.write('emulator stopped\n');
  }
}

/** A yes/no question on the terminal, or undefined when there is none to ask on. */
function askOnTerminal(
  options: Pick<EngineCommand, 'prompt' | 'err'>,
): ((question: string) => Promise<boolean>) | undefined {
  if (options.prompt) return options.prompt;
  if (!process.stdin.isTTY) return undefined;
  return (question) =>
    new Promise((resolve) => {
      const terminal = readline.createInterface({ input: process.stdin, output: options.err });
      terminal.question(question, (answer) => {
        terminal.close();
        resolve(/^y(es)?$/i.test(answer.trim()));
      });
    });
}
