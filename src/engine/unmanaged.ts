/**
 * What Terraform cannot see, read through the AWS SDK with the role the stack assumes (its deploy
 * role, or its plan role with --read-only): event destinations in a managed configuration set that no environment file declares, and configuration
 * sets in the account and region that no environment declares. Read only: nothing here changes AWS.
 */
import { GetConfigurationSetEventDestinationsCommand } from '@aws-sdk/client-sesv2';
import { setNames } from '../adoption/ses-account';
import { accessOf, sesClientFor } from '../aws/account-access';
import type { LocalTarget } from '../local/local-target';
import type { UnmanagedDestination } from '../report/run-report';
import type { FleetStack } from '../fleet/fleet';

export interface Unmanaged {
  readonly unmanagedDestinations: UnmanagedDestination[];
  readonly unmanagedSets: string[];
}

/**
 * `everyStack` is every stack of every environment file (not only the selected ones), so that a set
 * another environment declares in the same account and region is not called unmanaged.
 */
export async function unmanagedOf(
  stack: FleetStack,
  everyStack: readonly FleetStack[],
  local?: LocalTarget,
): Promise<Unmanaged> {
  const ses = await sesClientFor(accessOf(stack, local), `sesform-drift`);
  try {
    const existing = await setNames(ses);
    const declaredHere = new Set(
      everyStack
        .filter((other) => other.accountId === stack.accountId && other.region === stack.region)
        .flatMap((other) => other.configurationSets.map((set) => set.name)),
    );
    const unmanagedDestinations: UnmanagedDestination[] = [];
    for (const set of stack.configurationSets) {
      if (!existing.includes(set.name)) continue; // a missing managed set is Terraform's drift to report
      const declared = new Set(set.destinations.map((destination) => destination.name));
      const { EventDestinations = [] } = await ses.send(
        new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set.name }),
      );
      for (const destination of EventDestinations)
        if (destination.Name && !declared.has(destination.Name))
          unmanagedDestinations.push({ configurationSet: set.name, name: destination.Name });
    }
    return { unmanagedDestinations, unmanagedSets: existing.filter((name) => !declaredHere.has(name)).sort() };
  } finally {
    ses.destroy();
  }
}
