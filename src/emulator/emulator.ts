/**
 * The embedded AWS emulator: moto's server with SES v2 completed (`moto_ses.py` beside this file),
 * on a free port of 127.0.0.1. Started and stopped by process id, never by name.
 */
import { spawn } from 'node:child_process';
import { stopChild } from '../process/child-process';
import * as net from 'node:net';
import * as path from 'node:path';
import { setting } from '../config';
import { withoutAwsVariables } from '../local/local-target';

const LAUNCHER = path.join(__dirname, 'moto_ses.py');
const LOOPBACK = '127.0.0.1';

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`, or `https://` when started with TLS. */
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** @default 30 s */
  readonly timeoutMs?: number;
  /**
   * Serve HTTPS with a throwaway self-signed certificate, for policies that require TLS (the state
   * bucket's). Clients skip certificate checks for this loopback endpoint only.
   * @default false
   */
  readonly tls?: boolean;
  /**
   * Python files whose `wrap(app)` wraps the emulator's WSGI app: how tests add fault injection
   * without the product ever loading it.
   * @default - none
   */
  readonly extensions?: readonly string[];
}

/** A port that nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the emulator and resolves once it listens; the python interpreter comes from SESFORM_PYTHON or python3. */
export async function startEmulator({
  timeoutMs = 30_000,
  tls = false,
  extensions = [],
}: EmulatorOptions = {}): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `${tls ? 'https' : 'http'}://${LOOPBACK}:${port}`;
  const python = setting('python') ?? 'python3';
  // A fixed account would override the account routing that AssumeRole gives each stack.
  // The user's real AWS variables have no business in the emulator.
  const env = withoutAwsVariables(process.env);
  delete env.MOTO_ACCOUNT_ID;
  const args = [
    LAUNCHER,
    '--port',
    String(port),
    '--host',
    LOOPBACK,
    ...(tls ? ['--tls'] : []),
    ...extensions.flatMap((extension) => ['--extension', path.resolve(extension)]),
  ];
  // Its own process group: on Ctrl-C sesform stops it after the terraform processes that still use it.
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const stop = () => stopChild(child, { graceMs: 5_000 });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the emulator did not start within ${timeoutMs} ms`)), timeoutMs);
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes(`ready ${endpoint}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the emulator exited with code ${code} before it was ready`));
      });
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  child.stdout.resume();
  return { endpoint, pid: child.pid as number, stop };
}
