/**
 * `sesform adopt`: matches what an account already holds with what an environment declares, by
 * name, so the stack imports existing sets and destinations instead of creating them (which would
 * fail with AlreadyExists) or replacing them (which would break sending). Nothing undeclared is
 * touched: it is listed, with a snippet to paste into the environment file.
 */
import { stringify } from 'yaml';
import type { LoadedEnvironment } from '../environment/loader';
import { expandedDestinationNames } from '../environment/schema';
import { stackName } from '../environment/stack-naming';
import type { LocalTarget } from '../local/local-target';
import { ImportManifest, writeImportManifest } from './import-manifest';
import { ExistingSet, accessOf, readConfigurationSets, sesClientFor } from './ses-account';

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
}

export async function findAdoption(
  { environment }: LoadedEnvironment,
  region: string,
  local?: LocalTarget,
): Promise<Adoption> {
  const ses = await sesClientFor(accessOf(environment, region, local));
  let existing: ExistingSet[];
  try {
    existing = await readConfigurationSets(ses);
  } finally {
    ses.destroy();
  }
  const byName = new Map(existing.map((set) => [set.name, set]));
  const configurationSets: string[] = [];
  const eventDestinations: string[] = [];
  const toCreate: string[] = [];
  const unmanagedDestinations: string[] = [];
  for (const set of environment.configurationSets) {
    const found = byName.get(set.name);
    const declared = set.eventDestinations.flatMap(expandedDestinationNames);
    if (found === undefined) {
      toCreate.push(set.name, ...declared.map((name) => `${set.name}/${name}`));
      continue;
    }
    configurationSets.push(set.name);
    const present = found.destinations.map((destination) => destination.name);
    for (const name of declared)
      if (present.includes(name)) eventDestinations.push(`${set.name}|${name}`);
      else toCreate.push(`${set.name}/${name}`);
    for (const name of present) if (!declared.includes(name)) unmanagedDestinations.push(`${set.name}/${name}`);
  }
  const declaredSets = environment.configurationSets.map((set) => set.name);
  return {
    stack: stackName(environment.name, region),
    accountId: environment.accountId,
    imports: { configurationSets, eventDestinations },
    toCreate,
    unmanagedDestinations,
    unmanagedSets: existing.filter((set) => !declaredSets.includes(set.name)),
  };
}

/** Adopts every region of the environment: writes each stack's import manifest; resolves to what it found. */
export async function adopt(
  loaded: LoadedEnvironment,
  local?: LocalTarget,
): Promise<(Adoption & { manifest: string })[]> {
  const adoptions = [];
  for (const region of loaded.environment.regions) {
    const adoption = await findAdoption(loaded, region, local);
    adoptions.push({ ...adoption, manifest: writeImportManifest(loaded.file, adoption.stack, adoption.imports) });
  }
  return adoptions;
}

/** The report of one stack's adoption, for a terminal. */
export function describeAdoption(adoption: Adoption & { manifest: string }): string[] {
  const lines = [`${adoption.stack} (account ${adoption.accountId})`];
  for (const name of adoption.imports.configurationSets) lines.push(`  import     configuration set ${name}`);
  for (const id of adoption.imports.eventDestinations) lines.push(`  import     destination ${id.replace('|', '/')}`);
  for (const name of adoption.toCreate) lines.push(`  create     ${name} (declared, not in the account yet)`);
  for (const name of adoption.unmanagedDestinations)
    lines.push(`  unmanaged  destination ${name}: in the account, not in the file; left alone`);
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
