/**
 * Drift findings a team has acknowledged (`drift.ignore` in the environment file): console-made sets
 * and destinations that sesform reports but never touches, which would otherwise keep a daily drift
 * run red forever. An acknowledged finding is listed apart and does not change the exit code; an
 * expired acknowledgement no longer applies, so its finding counts again (and says it expired).
 */
import type { Environment } from '../environment/schema';
import type { AcknowledgedFinding, ExpiredFinding, UnmanagedDestination } from '../report/change-model';

export interface Acknowledgement {
  /** A set name, or `set/destination`; `*` matches any run of characters within a name. */
  readonly match: string;
  readonly reason: string;
  /** The last day (YYYY-MM-DD, UTC) it applies. */
  readonly expires?: string;
}

function matches(pattern: string, name: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${expression}$`).test(name);
}

/** Whether an acknowledgement still applies on `today` (YYYY-MM-DD): through its expiry day. */
export function isCurrent(acknowledgement: Acknowledgement, today: string): boolean {
  return acknowledgement.expires === undefined || today <= acknowledgement.expires;
}

/**
 * Splits unmanaged findings into those still counted and those acknowledged; findings whose only
 * matching acknowledgements have expired are counted and listed as expired.
 */
export function acknowledge(
  environment: Pick<Environment, 'drift'>,
  found: { unmanagedSets: readonly string[]; unmanagedDestinations: readonly UnmanagedDestination[] },
  today = new Date().toISOString().slice(0, 10),
): {
  unmanagedSets: string[];
  unmanagedDestinations: UnmanagedDestination[];
  acknowledged: AcknowledgedFinding[];
  expired: ExpiredFinding[];
} {
  const list = environment.drift?.ignore ?? [];
  const acknowledged: AcknowledgedFinding[] = [];
  const expired: ExpiredFinding[] = [];
  const keep = (kind: AcknowledgedFinding['kind'], name: string): boolean => {
    const matching = list.filter(
      (entry) => entry.match.includes('/') === name.includes('/') && matches(entry.match, name),
    );
    const current = matching.find((entry) => isCurrent(entry, today));
    const finding = (entry: Acknowledgement) => ({
      kind,
      name,
      reason: entry.reason,
      ...(entry.expires ? { expires: entry.expires } : {}),
    });
    if (current) {
      acknowledged.push(finding(current));
      return false;
    }
    if (matching.length > 0) expired.push({ ...finding(matching[0]), expired: true });
    return true;
  };
  return {
    unmanagedSets: found.unmanagedSets.filter((name) => keep('configuration set', name)),
    unmanagedDestinations: found.unmanagedDestinations.filter((destination) =>
      keep('destination', `${destination.configurationSet}/${destination.name}`),
    ),
    acknowledged,
    expired,
  };
}
