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
 * still running then.
 */
export async function stopChild(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs }: { signal?: NodeJS.Signals; graceMs: number },
): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}
