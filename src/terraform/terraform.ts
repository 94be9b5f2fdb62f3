/**
 * Every invocation of the real `terraform` binary goes through here: the CLI config for an offline
 * provider mirror, the environment Terraform runs with, and the process itself.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { stopChild } from '../process/child-process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORK_PATHS, setting } from '../config';
import { providerMirror } from './toolchain';
import { BINDINGS_AWS_PROVIDER_VERSION } from '../cdk/packages';

/** The Go GC target for terraform and provider processes, unless GOGC is set already. */
export const GOGC_DEFAULT = '400';

/** Compares dotted versions part by part as numbers ("1.10.0" > "1.9.8"). */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split(/[.-]/).map((part) => Number(part) || 0);
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The AWS provider versions the mirror holds, newest first. */
export function mirroredAwsVersions(mirror = providerMirror().path): string[] {
  if (mirror === undefined || mirror === '') return [];
  const versionsDir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!fs.existsSync(versionsDir)) return [];
  return fs.readdirSync(versionsDir).sort(compareVersions).reverse();
}

/** The provider version local mode pins: the explicit one, else the mirror's newest, else the bindings' own. */
export function localProviderVersion(): string {
  return setting('localProviderVersion') || mirroredAwsVersions()[0] || BINDINGS_AWS_PROVIDER_VERSION;
}

/**
 * The environment for terraform processes: no update checks, no prompts, and, when a mirror is
 * configured, a CLI config of our own that installs providers from it.
 */
export function terraformEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  // Terraform and the AWS provider spend about a third of a plan's CPU collecting garbage of the
  // provider's schema; a larger GC target cuts that for ~50% more peak memory (measured: bench/).
  env.GOGC ??= GOGC_DEFAULT;
  const mirror = providerMirror().path;
  if (mirror) {
    const configFile = path.resolve(WORK_PATHS.terraformRc);
    const config = `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(path.resolve(mirror))}\n    include = ["registry.terraform.io/*/*"]\n  }\n}\n`;
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    if (!fs.existsSync(configFile) || fs.readFileSync(configFile, 'utf8') !== config)
      fs.writeFileSync(configFile, config);
    env.TF_CLI_CONFIG_FILE = configFile;
  }
  return env;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended the process, if one did. */
  readonly signal?: NodeJS.Signals;
}

/**
 * Starts terraform processes and stops them all as Ctrl-C stops one. One per run (the real runner
 * owns it), so that a run interrupts only its own processes.
 */
export class TerraformProcesses {
  private readonly running = new Set<ChildProcess>();
  /** Invocations by subcommand (`plan`, `show`, ...), for the run's benchmark line. */
  readonly invocations = new Map<string, number>();

  /** Runs `terraform <args>` in `cwd`; resolves with its exit code and output (never rejects on a non-zero exit). */
  run(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<TerraformResult> {
    this.invocations.set(args[0], (this.invocations.get(args[0]) ?? 0) + 1);
    return new Promise((resolve, reject) => {
      const child = spawn(setting('terraform') ?? 'terraform', [...args], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a Ctrl-C of the terminal reaches sesform only, which forwards it once
        // (Terraform takes a second interrupt as "exit at once", leaving the state lock behind).
        detached: true,
      });
      this.running.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', (error) => {
        this.running.delete(child);
        reject(error);
      });
      child.once('close', (code, signal) => {
        this.running.delete(child);
        resolve({ code: code ?? 1, stdout, stderr, ...(signal ? { signal } : {}) });
      });
    });
  }

  /**
   * Stops every running terraform as Ctrl-C stops one: each gets the signal once, finishes the calls
   * in flight, writes its state and releases its lock. Resolves when all have exited, or after
   * `graceMs`, when any still running are killed.
   */
  async interrupt(signal: NodeJS.Signals, graceMs = 60_000): Promise<void> {
    await Promise.all([...this.running].map((child) => stopChild(child, { signal, graceMs })));
  }
}

/** The last lines of Terraform's error output, for a one-look failure message. */
export function errorSummary(result: TerraformResult, lines = 12): string {
  // Some commands (state list) colour their errors whatever the flags say.
  // eslint-disable-next-line no-control-regex
  const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').trim();
  const text = (plain(result.stderr) || plain(result.stdout)).split('\n');
  return text.slice(-lines).join('\n');
}
