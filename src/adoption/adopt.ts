/**
 * `sesform adopt`: matches what an account already holds with what an environment declares, by
 * name, so the stack imports existing sets and destinations instead of creating them (which would
 * fail with AlreadyExists) or replacing them (which would break sending). Nothing undeclared is
 * touched: it is listed, with a snippet to paste into the environment file. Alarms on SES metrics that
 * the environment's monitoring declares under the same name are imported too; others are listed.
 */
import { stringify } from 'yaml';
import type { FleetStack } from '../fleet/fleet';
import type { LocalTarget } from '../local/local-target';
import { ImportManifest, writeImportManifest } from './import-manifest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ExistingAlarm, readSesAlarms } from './ses-alarms';
import { accessOf, accountClientConfig, sesClientFor } from '../aws/account-access';
import { ExistingSet, readConfigurationSets } from './ses-account';

export interface Adoption {
  readonly stack: string;
  readonly accountId: string;
  readonly imports: ImportManifest;
  /** Declared, not in the account yet: the next plan creates them. */
  readonly toCreate: string[];
  /** In a managed set, not declared: left alone. */
  readonly unmanagedDestinations: string[];
  /** In the account, not declared: left alone. */
  readonly unmanagedSets: ExistingSet[];
  /** Alarms on SES metrics in the account that the environment does not declare by name: left alone. */
  readonly unmanagedAlarms: string[];
}

export async function findAdoption(stack: FleetStack, local?: LocalTarget): Promise<Adoption> {
  const ses = await sesClientFor(accessOf(stack, local));
  let existing: ExistingSet[];
  try {
    existing = await readConfigurationSets(ses, stack.accountId, stack.region);
  } finally {
    ses.destroy();
  }
  const alarms = stack.monitoring === undefined ? [] : await existingAlarms(stack, local);
  const byName = new Map(existing.map((set) => [set.name, set]));
  const configurationSets: string[] = [];
  const eventDestinations: string[] = [];
  const toCreate: string[] = [];
  const unmanagedDestinations: string[] = [];
  for (const set of stack.configurationSets) {
    const found = byName.get(set.name);
    if (found === undefined) {
      toCreate.push(set.name, ...set.destinations.map((destination) => `${set.name}/${destination.name}`));
      continue;
    }
    configurationSets.push(set.importId);
    const present = new Set(found.destinations.map((destination) => destination.name));
    for (const destination of set.destinations)
      if (present.has(destination.name)) eventDestinations.push(destination.importId);
      else toCreate.push(`${set.name}/${destination.name}`);
    const declared = new Set(set.destinations.map((destination) => destination.name));
    for (const name of present) if (!declared.has(name)) unmanagedDestinations.push(`${set.name}/${name}`);
  }
  const declaredSets = new Set(stack.configurationSets.map((set) => set.name));
  const existingAlarmNames = new Set(alarms.map((alarm) => alarm.name));
  const declaredAlarms = (stack.monitoring?.alarms ?? []).map((alarm) => alarm.name);
  for (const name of declaredAlarms) if (!existingAlarmNames.has(name)) toCreate.push(`alarm ${name}`);
  return {
    stack: stack.name,
    accountId: stack.accountId,
    imports: {
      configurationSets,
      eventDestinations,
      alarms: declaredAlarms.filter((name) => existingAlarmNames.has(name)),
    },
    toCreate,
    unmanagedDestinations,
    unmanagedSets: existing.filter((set) => !declaredSets.has(set.name)),
    unmanagedAlarms: [...existingAlarmNames].filter((name) => !declaredAlarms.includes(name)),
  };
}

async function existingAlarms(stack: FleetStack, local?: LocalTarget): Promise<ExistingAlarm[]> {
  const cloudWatch = new CloudWatchClient(await accountClientConfig(accessOf(stack, local), 'sesform-adopt'));
  try {
    return await readSesAlarms(cloudWatch);
  } finally {
    cloudWatch.destroy();
  }
}

/** Adopts the given stacks (an environment's regions): writes each one's import manifest; resolves to what it found. */
export async function adopt(
  stacks: readonly FleetStack[],
  local?: LocalTarget,
): Promise<(Adoption & { manifest: string })[]> {
  const adoptions = [];
  for (const stack of stacks) {
    const adoption = await findAdoption(stack, local);
    adoptions.push({ ...adoption, manifest: writeImportManifest(stack.file, adoption.stack, adoption.imports) });
  }
  return adoptions;
}

/** The report of one stack's adoption, for a terminal. */
export function describeAdoption(adoption: Adoption & { manifest: string }): string[] {
  const lines = [`${adoption.stack} (account ${adoption.accountId})`];
  for (const name of adoption.imports.configurationSets) lines.push(`  import     configuration set ${name}`);
  for (const id of adoption.imports.eventDestinations) lines.push(`  import     destination ${id.replace('|', '/')}`);
  for (const name of adoption.imports.alarms ?? []) lines.push(`  import     alarm ${name}`);
  for (const name of adoption.toCreate) lines.push(`  create     ${name} (declared, not in the account yet)`);
  for (const name of adoption.unmanagedDestinations)
    lines.push(`  unmanaged  destination ${name}: in the account, not in the file; left alone`);
  for (const name of adoption.unmanagedAlarms)
    lines.push(`  unmanaged  alarm ${name}: on SES metrics, not declared under this name; left alone`);
  for (const set of adoption.unmanagedSets) {
    lines.push(
      `  unmanaged  configuration set ${set.name}: in the account, not in the file; left alone. To manage it, add:`,
    );
    const snippet = stringify({ configurationSets: [set.definition] })
      .trimEnd()
      .split('\n')
      .slice(1);
    lines.push(...snippet.map((line) => `      ${line}`));
  }
  lines.push(`  wrote ${adoption.manifest}`);
  return lines;
}
