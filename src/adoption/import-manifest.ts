/**
 * What `sesform adopt` found in an account and the stack must import rather than create: kept per
 * stack in `<environments>/.imports/<stack>.json`, read at synth time, turned into Terraform import
 * blocks. Import blocks for resources already in state are no-ops, so the file can stay.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseRecord } from '../records';

export interface ImportManifest {
  /** Configuration set names (the provider's import ID). */
  readonly configurationSets: readonly string[];
  /** Event destinations as `SET_NAME|DESTINATION_NAME` (the provider's import ID). */
  readonly eventDestinations: readonly string[];
  /** CloudWatch alarm names (the provider's import ID) that the environment declares under the same name. */
  readonly alarms?: readonly string[];
}

const names = z.array(z.string());
const ImportManifestSchema = z.object({
  configurationSets: names.optional(),
  eventDestinations: names.optional(),
  alarms: names.optional(),
});

export const EMPTY_IMPORTS: ImportManifest = { configurationSets: [], eventDestinations: [], alarms: [] };

/** The manifest file of a stack, beside the environment file that declares it. */
export function importManifestPath(environmentFile: string, stack: string): string {
  return path.join(path.dirname(path.resolve(environmentFile)), '.imports', `${stack}.json`);
}

export function readImportManifest(environmentFile: string, stack: string): ImportManifest {
  const file = importManifestPath(environmentFile, stack);
  if (!fs.existsSync(file)) return EMPTY_IMPORTS;
  const parsed = parseRecord<Partial<ImportManifest>>(
    ImportManifestSchema,
    fs.readFileSync(file, 'utf8'),
    file,
    'an import manifest (sesform adopt writes them)',
  );
  return {
    configurationSets: parsed.configurationSets ?? [],
    eventDestinations: parsed.eventDestinations ?? [],
    alarms: parsed.alarms ?? [],
  };
}

export function writeImportManifest(environmentFile: string, stack: string, manifest: ImportManifest): string {
  const file = importManifestPath(environmentFile, stack);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}
