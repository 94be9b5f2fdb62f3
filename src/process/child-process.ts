/**
 * The one stop sequence for the processes sesform starts (terraform, pooled AWS providers, the
 * emulator): a signal, a grace period for the process to finish what it must (a terraform writes
 * its state and releases its lock), then SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';

/** The process has exited (or was never started). */
export const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/**
 * Sends `signal` once and resolves when the process has exited; kills it after `graceMs` if it is
 * still running then. With `group`, the signals go to the process group the (detached) child leads.
 */
export async function stopChild(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs, group = false }: { signal?: NodeJS.Signals; graceMs: number; group?: boolean },
): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const send = (which: NodeJS.Signals) => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, which);
      else child.kill(which);
    } catch {
      // Gone already.
    }
  };
  send(signal);
  const killer = setTimeout(() => send('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}
