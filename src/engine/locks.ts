/**
 * State locks left behind: recognised in Terraform's output, and reported with the command that
 * clears them.
 */
import type { LockInfo } from './report';

const LOCK_ERROR = /Error acquiring the state lock/;

/** The lock that made a step fail, if that is why it failed. */
export function lockOf(output: string, clearCommand: (id: string) => string): LockInfo | undefined {
  if (!LOCK_ERROR.test(output)) return undefined;
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(output)?.[1]?.trim();
  const id = field('ID');
  if (id === undefined) return undefined;
  return { id, who: field('Who'), operation: field('Operation'), created: field('Created'), clear: clearCommand(id) };
}
