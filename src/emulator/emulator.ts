/**
 * The embedded AWS emulator: moto's server with SES v2 completed (`__tests__/e2e/emulator/moto_ses.py`),
 * on a free port of 127.0.0.1. Started and stopped by process id, never by name.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

const LAUNCHER = path.resolve(__dirname, '..', '..', '__tests__', 'e2e', 'emulator', 'moto_ses.py');
const LOOPBACK = '127.0.0.1';

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
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

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with code ${child.exitCode} before answering`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the emulator did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** Starts the emulator and resolves once it answers; the python interpreter comes from SESFORM_PYTHON or python3. */
export async function startEmulator({ timeoutMs = 30_000 } = {}): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `http://${LOOPBACK}:${port}`;
  const python = process.env.SESFORM_PYTHON ?? 'python3';
  // A fixed account would override the account routing that AssumeRole gives each stack.
  const env = { ...process.env };
  delete env.MOTO_ACCOUNT_ID;
  const child = spawn(python, [LAUNCHER, '--port', String(port), '--host', LOOPBACK], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    await waitUntilAnswering(endpoint, child, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { endpoint, pid: child.pid as number, stop };
}
