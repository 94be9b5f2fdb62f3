/**
 * Where the AWS provider comes from when the registry is out of reach: `SESFORM_PROVIDER_MIRROR`, or
 * an unpacked mirror found on this machine once and remembered in `.sesform/toolchain.json`, so
 * every entry point (sesform, npm scripts, the stock cdktf CLI through main.ts) agrees, and no run
 * after the first scans the disk. The scan is the one `scripts/with-toolchain.sh` makes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { SESFORM_VARIABLES, WORK_PATHS, setting } from '../config';

export interface MirrorChoice {
  /** The mirror folder; undefined: the public registry. */
  readonly path?: string;
  /** Where the choice came from, for `doctor` and the note printed when a mirror is first found. */
  readonly source: 'variable' | 'cache' | 'discovered' | 'registry';
}

const PROVIDER_DIR = path.join('registry.terraform.io', 'hashicorp', 'aws');
/** Folders skipped by the scan: virtual file systems, package trees, and plugin caches (not mirrors). */
const SKIPPED = new Set(['proc', 'sys', 'dev', 'run', 'node_modules', '.git', 'plugin-cache', 'snap']);
const MAX_DEPTH = 6;

const isMirror = (dir: string) => fs.existsSync(path.join(dir, PROVIDER_DIR));

/**
 * A folder another user of the machine could not have planted or changed: not writable by everyone
 * (the temp folders are) and owned by root or the current user. The provider binary runs with the
 * deploy role's credentials, so only such folders are searched and adopted.
 */
export function trustedFolder(dir: string, uid = process.getuid?.() ?? 0): boolean {
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && (stat.mode & 0o002) === 0 && (stat.uid === 0 || stat.uid === uid);
  } catch {
    return false;
  }
}

/** Every folder from `/` down to the mirror's provider folder is trusted (see trustedFolder). */
export function trustedMirror(dir: string, uid?: number): boolean {
  const resolved = path.resolve(dir);
  const chain: string[] = [];
  for (let at = resolved; ; at = path.dirname(at)) {
    chain.push(at);
    if (path.dirname(at) === at) break;
  }
  let below = resolved;
  for (const part of PROVIDER_DIR.split(path.sep)) chain.push((below = path.join(below, part)));
  return isMirror(resolved) && chain.every((folder) => trustedFolder(folder, uid));
}

/**
 * The first trusted mirror under the usual places, then anywhere within six levels of `/`, never
 * looking into a folder that is not trusted (world-writable, like the temp folders, or another user's).
 */
export function discoverMirror(roots: readonly string[] = defaultRoots(), top = '/'): string | undefined {
  for (const root of roots) if (trustedMirror(root)) return root;
  const queue: [string, number][] = [[top, 0]];
  while (queue.length > 0) {
    const [dir, depth] = queue.shift()!;
    if (!trustedFolder(dir)) continue;
    if (depth > 0 && trustedMirror(dir)) return dir;
    if (depth >= MAX_DEPTH - 3) continue; // the mirror is 3 levels above .../hashicorp/aws
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries)
      if (entry.isDirectory() && !SKIPPED.has(entry.name)) queue.push([path.join(dir, entry.name), depth + 1]);
  }
  return undefined;
}

function defaultRoots(): string[] {
  return [
    path.join(os.homedir(), '.terraform.d', 'plugins'),
    '/usr/share/terraform/plugins',
    '/usr/local/share/terraform/plugins',
  ];
}

let chosen: MirrorChoice | undefined;

/** `.sesform/toolchain.json`: the mirror found (a path), or null for the registry. */
const ToolchainCacheSchema = z.object({ providerMirror: z.string().nullable() });

/**
 * The provider mirror for this process: the variable, else the remembered one (if it still holds the
 * provider), else one found now (remembered, with a note on stderr saying where it came from).
 */
export function providerMirror(
  cacheFile = path.resolve(WORK_PATHS.toolchain),
  discover: () => string | undefined = discoverMirror,
  note: (text: string) => void = (text) => process.stderr.write(text),
): MirrorChoice {
  const variable = setting('providerMirror');
  if (variable !== undefined) return { path: variable, source: 'variable' };
  if (chosen !== undefined) return chosen;
  try {
    const cached = ToolchainCacheSchema.parse(JSON.parse(fs.readFileSync(cacheFile, 'utf8')));
    if (cached.providerMirror === null) return (chosen = { source: 'registry' });
    if (typeof cached.providerMirror === 'string' && trustedMirror(cached.providerMirror))
      return (chosen = { path: cached.providerMirror, source: 'cache' });
  } catch (error) {
    // No cache yet: look. A malformed one is said, then replaced by what is found now.
    if (fs.existsSync(cacheFile))
      note(
        `sesform: ${cacheFile} is not a toolchain record (${error instanceof z.ZodError ? `providerMirror: ${error.issues[0]?.message}` : (error as Error).message}); looking for the provider mirror again.\n`,
      );
  }
  const found = discover();
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const temporary = `${cacheFile}.${process.pid}`;
  fs.writeFileSync(temporary, `${JSON.stringify({ providerMirror: found ?? null }, null, 2)}\n`);
  fs.renameSync(temporary, cacheFile);
  if (found !== undefined)
    note(
      `sesform: using the AWS provider mirror ${found} (found on this machine, remembered in ${path.relative(process.cwd(), cacheFile)}; ${SESFORM_VARIABLES.providerMirror} chooses another).\n`,
    );
  return (chosen = found === undefined ? { source: 'registry' } : { path: found, source: 'discovered' });
}

/** Forgets the choice of this process (tests). */
export function resetProviderMirror(): void {
  chosen = undefined;
}
