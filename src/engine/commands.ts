/**
 * The engine's commands as the CLI runs them: which stacks, where their files go, the emulator in
 * local mode, and the report in the requested forms. Loaded only when one of them runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { CostReport } from '../cost/cost-model';
import { startEmulator } from '../emulator/emulator';
import { EXIT } from '../exit-codes';
import type { LoadedEnvironment } from '../environment/loader';
import { LOCAL_ENDPOINT_ENV, LocalTarget, localTarget } from '../local/local-target';
import { localProviderVersion, WORK_DIR } from '../terraform/terraform';
import { Engine, unlockStack } from './engine';
import { LOCAL_PLANS_DIR, PLANS_DIR, PlanStore } from './plan-store';
import { renderMarkdown, renderText } from './render';
import { RunReport, mergeReports, parseReport } from './report';
import { Shard, shardOf, targetsOf } from './targets';

/** Where local-mode stacks are synthesized, apart from the real ones in cdktf.out. */
export const LOCAL_OUTDIR = path.join(WORK_DIR, 'local', 'cdktf.out');

export interface EngineCommand {
  readonly command: 'plan' | 'apply' | 'drift' | 'rollout';
  /** The selected environments. */
  readonly environments: readonly LoadedEnvironment[];
  /** Every valid environment of the folder. */
  readonly everyEnvironment: readonly LoadedEnvironment[];
  readonly cost: CostReport;
  readonly local: boolean;
  readonly endpoint?: string;
  /** Synth output folder; default cdktf.json's (real) or .sesform/local/cdktf.out (local). */
  readonly output?: string;
  readonly plans?: string;
  readonly concurrency: number;
  /** Only these waves, when given (one pipeline job per wave). */
  readonly waves?: readonly number[];
  readonly shard?: Shard;
  readonly json: boolean;
  readonly markdown?: string;
  readonly allowDestroy: readonly string[];
  readonly autoApprove: boolean;
  /** Asks a yes/no question; default: on the terminal, refused elsewhere. */
  readonly prompt?: (question: string) => Promise<boolean>;
  readonly defaultOutput: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export async function runEngineCommand(options: EngineCommand): Promise<number> {
  const { shard } = options;
  const inWaves = (wave: number) => !options.waves?.length || options.waves.includes(wave);
  const selected = targetsOf(options.environments).filter((target) => inWaves(target.wave));
  const targets = shard ? shardOf(selected, shard) : selected;
  const names = new Set(targets.map((target) => target.environment.name));
  // apply applies plans that were reviewed already, like `terraform apply PLANFILE`: only rollout asks.
  const confirm = options.command === 'rollout' && !options.autoApprove ? askOnTerminal(options) : undefined;
  if (options.command === 'rollout' && !options.autoApprove && confirm === undefined)
    throw new Error('rollout asks before each wave, which needs a terminal: in a pipeline, pass --auto-approve.');
  const report = await withLocalTarget(options, async (local) => {
    const engine = new Engine({
      targets,
      everyTarget: targetsOf(options.everyEnvironment),
      environments: options.environments.filter(({ environment }) => names.has(environment.name)),
      cost: options.cost,
      outdir: path.resolve(options.output ?? (local ? LOCAL_OUTDIR : options.defaultOutput)),
      plans: new PlanStore(options.plans ?? (local ? LOCAL_PLANS_DIR : PLANS_DIR)),
      concurrency: options.concurrency,
      local,
      shard: shard && `${shard.index}/${shard.count}`,
      progress: (line) => options.err.write(`${line}\n`),
    });
    const applyOptions = { allowDestroy: options.allowDestroy, confirm };
    if (options.command === 'plan') return engine.plan();
    if (options.command === 'apply') return engine.apply(applyOptions);
    if (options.command === 'drift') return engine.drift();
    return engine.rollout(applyOptions);
  });
  return writeReport(report, options);
}

/** Prints the report as asked (JSON on stdout, or text), writes the Markdown file; resolves to the exit code. */
export function writeReport(report: RunReport, options: Pick<EngineCommand, 'json' | 'markdown' | 'out'>): number {
  if (options.markdown !== undefined) fs.writeFileSync(options.markdown, renderMarkdown(report));
  options.out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
  return report.exitCode;
}

/** `sesform report --merge FILES...`: one report and one exit code from the JSON reports of shards. */
export function mergeCommand(
  files: readonly string[],
  options: Pick<EngineCommand, 'json' | 'markdown' | 'out'>,
): number {
  if (files.length === 0) throw new Error('report needs the JSON reports to read: sesform report --merge FILE...');
  const reports = files.map((file) => parseReport(fs.readFileSync(file, 'utf8'), file));
  return writeReport(mergeReports(reports), options);
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
  const outdir = path.resolve(options.output ?? (options.local ? LOCAL_OUTDIR : options.defaultOutput));
  await unlockStack(outdir, options.stack, options.lockId, options.local);
  options.out.write(`Released lock ${options.lockId} of ${options.stack}.\n`);
  return EXIT.ok;
}

/** `sesform emulator`: an emulator that outlives one command, for plan and apply run separately in local mode. */
export async function emulatorCommand(out: NodeJS.WritableStream): Promise<number> {
  const emulator = await startEmulator();
  out.write(
    `Emulator listening on ${emulator.endpoint} (pid ${emulator.pid}); Ctrl-C stops it. In another shell:\n  export ${LOCAL_ENDPOINT_ENV}=${emulator.endpoint}\n  sesform plan --local --all && sesform apply --local --all\n`,
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
  if (!options.local) return work(undefined);
  const endpoint = options.endpoint ?? process.env[LOCAL_ENDPOINT_ENV];
  if (endpoint) return work(localTarget(endpoint, localProviderVersion()));
  const emulator = await startEmulator();
  options.err.write(`emulator started at ${emulator.endpoint} (pid ${emulator.pid}) for this run\n`);
  const stopOnSignal = () => void emulator.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    return await work(localTarget(emulator.endpoint, localProviderVersion()));
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
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
