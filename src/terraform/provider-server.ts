/**
 * A pool of AWS provider processes that Terraform attaches to instead of starting its own: Terraform
 * would start four per plan (schemas, validate, plan, show) and more per apply, each loading the
 * provider's whole schema (1 to 2 CPU-seconds). It uses Terraform's reattach protocol
 * (TF_REATTACH_PROVIDERS, the provider started with -debug), as terraform-plugin-testing does for
 * every provider test. A process serves one stack at a time and then the next one its worker takes,
 * so a run starts at most one per worker (--concurrency). Each stack's terraform configures the
 * provider again with that stack's own role, region and allowed account: nothing of one stack's
 * configuration outlives its steps.
 *
 * The binary is the one `terraform init` installed and checked against the lock file for the stack,
 * and the processes get exactly Terraform's environment. Whenever any of that does not hold, or a
 * process does not answer the handshake, the steps run the usual way and the pool says so once.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setting } from '../config';
import { SynthesizedStack } from './synthesized-stack';
import { hasExited, stopChild } from '../process/child-process';
import { SchemaCachingProxy } from './schema-cache';
import { terraformPlatform } from './provider-checksums';

const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';

/** The AWS provider binary `terraform init` installed for the stack, when it has exactly one provider block. */
export function installedProvider(stackDir: string): string | undefined {
  try {
    if (!SynthesizedStack.read(stackDir).singleAwsProvider) return undefined;
    const lock = fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8');
    const version = new RegExp(`provider "${AWS_PROVIDER}" \\{\\s*version\\s*=\\s*"([^"]+)"`).exec(lock)?.[1];
    if (version === undefined) return undefined;
    const dir = path.join(stackDir, '.terraform', 'providers', AWS_PROVIDER, version, terraformPlatform());
    const binary = fs.readdirSync(dir).find((file) => file.startsWith('terraform-provider-aws'));
    return binary === undefined ? undefined : path.join(dir, binary);
  } catch {
    return undefined;
  }
}

/** The stack's provider block names a custom CA bundle. */
function hasCustomCaBundle(stackDir: string): boolean {
  try {
    return SynthesizedStack.read(stackDir).customCaBundle;
  } catch {
    return false;
  }
}

/**
 * The provider runs under a watchdog shell that holds the read end of a pipe from sesform: should
 * sesform die without stopping it (SIGKILL, out of memory), the pipe closes and the watchdog stops the
 * provider, so no provider outlives the run. Stopped normally, the whole process group is signalled.
 */
const WATCHDOG = [
  // Stopped (the group gets SIGTERM): exit only once the provider has, so its stop is complete. Set
  // first, so that a stop right after the handshake finds it.
  'trap \'[ -n "$provider" ] && kill -TERM "$provider" "$watcher" 2>/dev/null; [ -n "$provider" ] && wait "$provider"; exit 143\' TERM INT',
  'provider=',
  'exec 3<&0',
  '"$@" 0</dev/null 3<&- &',
  'provider=$!',
  '{ while read -r _; do :; done; kill -TERM "$provider" 2>/dev/null; } <&3 &',
  'watcher=$!',
  'exec 3<&-',
  'wait "$provider"',
  'status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

/** Starts the provider in reattach mode; resolves with its TF_REATTACH_PROVIDERS value, or undefined. */
function start(
  binary: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ child: ChildProcess; reattach?: string }> {
  // Its own process group, like terraform's: a Ctrl-C must not stop it under a terraform still using it.
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'sesform-provider', binary, '-debug'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stderr!.resume();
  return new Promise((resolve) => {
    let output = '';
    const done = (reattach?: string) => {
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ child, reattach });
    };
    const timer = setTimeout(() => done(), timeoutMs);
    child.once('error', () => done());
    child.once('exit', () => done());
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(output)?.[1];
      if (found !== undefined) done(found);
    });
  });
}

const stop = (child: ChildProcess) => stopChild(child, { graceMs: 3_000, group: true });

/**
 * What the provider's unix socket left in the temp folder, for removal when it stops: go-plugin makes
 * the socket there as a file `pluginNNNN` (provider 5.x), or in a folder `pluginNNNN` of its own
 * (older releases). Only such a name right in the temp folder qualifies: never the temp folder itself.
 */
export function socketLeftover(reattach: string | undefined): string | undefined {
  const socket = reattach === undefined ? undefined : socketOf(reattach);
  if (socket === undefined) return undefined;
  const tmp = path.resolve(os.tmpdir());
  const file = path.resolve(socket);
  const inTmp = (candidate: string) => /^plugin\d+$/.test(path.basename(candidate)) && path.dirname(candidate) === tmp;
  if (inTmp(file)) return file;
  if (inTmp(path.dirname(file))) return path.dirname(file);
  return undefined;
}

interface PooledProvider {
  readonly child: ChildProcess;
  /** What Terraform attaches to: the schema cache's socket, or the provider's own. */
  readonly reattach: string;
  /** The provider's own reattach value (its socket, for the cleanup). */
  readonly own: string;
  readonly proxy?: SchemaCachingProxy;
}

/** The reattach value with the provider's address replaced by the schema cache's socket. */
function throughProxy(reattach: string, address: string): string {
  const providers = JSON.parse(reattach) as Record<string, { Addr: { Network: string; String: string } }>;
  for (const provider of Object.values(providers)) provider.Addr = { Network: 'unix', String: address };
  return JSON.stringify(providers);
}

/** The provider's unix socket, from its reattach value. */
function socketOf(reattach: string): string | undefined {
  try {
    const [provider] = Object.values(
      JSON.parse(reattach) as Record<string, { Addr?: { Network?: string; String?: string } }>,
    );
    return provider?.Addr?.Network === 'unix' ? provider.Addr.String : undefined;
  } catch {
    return undefined;
  }
}

export interface ProviderPoolOptions {
  /** One line, once, when the pool cannot be used and each step starts its own provider. */
  readonly progress?: (line: string) => void;
  readonly timeoutMs?: number;
}

/** Provider processes for one run: every terraform step the run hands it gets the same environment. */
export class ProviderPool {
  private readonly idle = new Map<string, PooledProvider[]>();
  private readonly all: PooledProvider[] = [];
  private unavailable?: string;
  /** Processes started, and stacks' step groups they served (for the run's progress line). */
  started = 0;
  served = 0;

  constructor(private readonly options: ProviderPoolOptions = {}) {}

  /** Runs `work` with an environment that attaches terraform to a pooled provider, when possible. */
  async use<T>(stackDir: string, env: NodeJS.ProcessEnv, work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const binary = setting('sharedProvider') === '0' ? undefined : installedProvider(stackDir);
    if (binary === undefined || this.unavailable !== undefined) return work(env);
    // One binary per provider version: stacks locked to another version get processes of their own.
    const key = path.relative(path.join(stackDir, '.terraform', 'providers'), binary);
    const provider = this.takeIdle(key) ?? (await this.start(binary, env));
    if (provider === undefined) return work(env);
    this.served++;
    const reusable = this.reusable(stackDir, env);
    try {
      return await work({ ...env, TF_REATTACH_PROVIDERS: provider.reattach });
    } finally {
      if (reusable && !hasExited(provider.child)) this.idle.set(key, [...(this.idle.get(key) ?? []), provider]);
      else if (!reusable) await this.retire(provider);
    }
  }

  /**
   * Whether a process may serve another stack after this one. The AWS provider cannot be configured a
   * second time with a custom CA bundle ("unable to add custom RootCAs HTTPClient"): with
   * AWS_CA_BUNDLE set, or custom_ca_bundle in the stack's provider block, each stack gets a process
   * of its own (still one for all of its steps), and the pool says so once.
   */
  private reusable(stackDir: string, env: NodeJS.ProcessEnv): boolean {
    const cause =
      env.AWS_CA_BUNDLE !== undefined && env.AWS_CA_BUNDLE !== ''
        ? 'AWS_CA_BUNDLE is set'
        : hasCustomCaBundle(stackDir)
          ? 'a provider block sets custom_ca_bundle'
          : undefined;
    if (cause === undefined) return true;
    if (!this.saidSingleUse)
      this.options.progress?.(
        `AWS provider pool: ${cause}, and the provider cannot be configured twice with a custom CA bundle: one provider process per stack`,
      );
    this.saidSingleUse = true;
    return false;
  }

  private saidSingleUse = false;

  private async retire(provider: PooledProvider): Promise<void> {
    const at = this.all.indexOf(provider);
    if (at >= 0) this.all.splice(at, 1);
    await provider.proxy?.close();
    await stop(provider.child);
    const leftover = socketLeftover(provider.own);
    if (leftover !== undefined) fs.rmSync(leftover, { recursive: true, force: true });
  }

  private takeIdle(key: string): PooledProvider | undefined {
    const idle = this.idle.get(key) ?? [];
    let provider = idle.pop();
    // A process that exited (killed from outside) is not handed out again.
    while (provider !== undefined && hasExited(provider.child)) provider = idle.pop();
    return provider;
  }

  private async start(binary: string, env: NodeJS.ProcessEnv): Promise<PooledProvider | undefined> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const { child, reattach } = await start(binary, env, timeoutMs);
    if (reattach === undefined) {
      const why =
        child.exitCode !== null
          ? `it exited with code ${child.exitCode} before the reattach handshake`
          : `it gave no reattach handshake within ${timeoutMs / 1000} s`;
      await stop(child);
      // Workers that started at the same time fail alike: said once.
      if (this.unavailable === undefined)
        this.options.progress?.(
          `AWS provider pool unavailable (${path.basename(binary)}: ${why}): each terraform step starts its own provider`,
        );
      this.unavailable ??= why;
      return undefined;
    }
    const provider = await this.cached({ child, reattach, own: reattach });
    this.all.push(provider);
    this.started++;
    return provider;
  }

  /** The provider behind a schema cache (see schema-cache), unless turned off or it cannot listen. */
  private async cached(provider: PooledProvider): Promise<PooledProvider> {
    const socket = socketOf(provider.reattach);
    if (setting('schemaCache') === '0' || socket === undefined) return provider;
    try {
      const proxy = await SchemaCachingProxy.start(socket);
      this.proxies.push(proxy);
      return { ...provider, proxy, reattach: throughProxy(provider.reattach, proxy.address) };
    } catch {
      return provider;
    }
  }

  private readonly proxies: SchemaCachingProxy[] = [];

  /** Schema calls answered from the cache instead of the provider, over the run. */
  get schemasReplayed(): number {
    return this.proxies.reduce((sum, proxy) => sum + proxy.replayed, 0);
  }

  /** Stops every process and removes the sockets' folders; the pool serves no more. */
  async close(): Promise<void> {
    this.unavailable ??= 'the run ended';
    this.idle.clear();
    await Promise.all([...this.all].map((provider) => this.retire(provider)));
  }
}

/** Runs `work` with one provider process of its own for its terraform steps, when possible (a pool of one use). */
export async function withSharedProvider<T>(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  work: (env: NodeJS.ProcessEnv) => Promise<T>,
  { timeoutMs = 30_000 } = {},
): Promise<T> {
  const pool = new ProviderPool({ timeoutMs });
  try {
    return await pool.use(stackDir, env, work);
  } finally {
    await pool.close();
  }
}
