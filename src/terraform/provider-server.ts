/**
 * One AWS provider process for the read-only steps of one stack (plan, then show), instead of the
 * four that Terraform starts on its own (schemas, validate, plan, show), each of which loads the
 * provider's whole schema: about a quarter of a plan's CPU time. It uses Terraform's reattach
 * protocol (TF_REATTACH_PROVIDERS), as terraform-plugin-testing does for every provider test.
 *
 * The binary is the one `terraform init` installed and checked against the lock file for this stack;
 * it gets exactly Terraform's environment, is configured once (one provider block per stack), and is
 * stopped afterwards. Whenever any of that does not hold, the steps simply run without it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setting } from '../config';

const AWS_PROVIDER = 'registry.terraform.io/hashicorp/aws';

function platform(): string {
  const arch = { x64: 'amd64', arm64: 'arm64', ia32: '386' }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** The AWS provider binary `terraform init` installed for the stack, when it has exactly one provider block. */
export function installedProvider(stackDir: string): string | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as {
      provider?: Record<string, unknown[]>;
    };
    if (Object.keys(config.provider ?? {}).join() !== 'aws' || config.provider?.aws.length !== 1) return undefined;
    const lock = fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8');
    const version = new RegExp(`provider "${AWS_PROVIDER}" \\{\\s*version\\s*=\\s*"([^"]+)"`).exec(lock)?.[1];
    if (version === undefined) return undefined;
    const dir = path.join(stackDir, '.terraform', 'providers', AWS_PROVIDER, version, platform());
    const binary = fs.readdirSync(dir).find((file) => file.startsWith('terraform-provider-aws'));
    return binary === undefined ? undefined : path.join(dir, binary);
  } catch {
    return undefined;
  }
}

/** Starts the provider in reattach mode; resolves with its TF_REATTACH_PROVIDERS value, or undefined. */
function start(
  binary: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ child: ChildProcess; reattach?: string }> {
  // Its own process group, like terraform's: a Ctrl-C must not stop it under a terraform still using it.
  const child = spawn(binary, ['-debug'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(killer);
}

/**
 * The folder of the provider's unix socket, which go-plugin makes in the temp folder for each process
 * (`pluginNNNN`) and leaves behind: removed when the provider stops.
 */
export function socketFolderOf(reattach: string | undefined): string | undefined {
  if (reattach === undefined) return undefined;
  try {
    const providers = Object.values(
      JSON.parse(reattach) as Record<string, { Addr?: { Network?: string; String?: string } }>,
    );
    const socket = providers[0]?.Addr;
    if (socket?.Network !== 'unix' || socket.String === undefined) return undefined;
    const folder = path.dirname(socket.String);
    return /^plugin\d+$/.test(path.basename(folder)) && path.dirname(folder) === path.resolve(os.tmpdir())
      ? folder
      : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `work` with an environment whose terraform processes share one provider process, when possible. */
export async function withSharedProvider<T>(
  stackDir: string,
  env: NodeJS.ProcessEnv,
  work: (env: NodeJS.ProcessEnv) => Promise<T>,
  { timeoutMs = 30_000 } = {},
): Promise<T> {
  const binary = setting('sharedProvider') === '0' ? undefined : installedProvider(stackDir);
  if (binary === undefined) return work(env);
  const { child, reattach } = await start(binary, env, timeoutMs);
  try {
    return await work(reattach === undefined ? env : { ...env, TF_REATTACH_PROVIDERS: reattach });
  } finally {
    await stop(child);
    const socketFolder = socketFolderOf(reattach);
    if (socketFolder !== undefined) fs.rmSync(socketFolder, { recursive: true, force: true });
  }
}
