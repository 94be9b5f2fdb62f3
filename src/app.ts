/**
 * Wires validated environments to stacks, and synthesizes them the way `cdktf synth` does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from './cdk/cdk-core';
import { readImportManifest } from './adoption/import-manifest';
import { environmentsDir, loadEnvironments } from './fleet/loader';
import { displayPath, formatProblem } from './environment/problems';
import { Fleet, resolveFleet } from './fleet/fleet';
import type { LocalTarget } from './local/local-target';
import { SesEnvironmentStack } from './stack';

/** One stack per stack of the fleet, in rollout order; retargeted at the emulator when `local` is given. */
export function addEnvironmentStacks(
  app: App,
  fleet: Pick<Fleet, 'stacks'>,
  local?: LocalTarget,
): SesEnvironmentStack[] {
  return fleet.stacks.map(
    (stack) => new SesEnvironmentStack(app, { stack, local, imports: readImportManifest(stack.file, stack.name) }),
  );
}

/** For `main.ts` under the stock cdktf CLI: the fleet, or every problem on stderr and exit 1. */
export function loadFleetOrExit(): Fleet {
  const { environments, problems } = loadEnvironments(environmentsDir());
  if (problems.length === 0) return resolveFleet(environments);
  for (const problem of problems) console.error(formatProblem(problem));
  console.error(`${problems.length} problem(s) in the environment files; nothing was synthesized.`);
  process.exit(1);
}

/** Every construct validation message of the app, checked before anything is written. */
export function validationErrors(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((construct) => construct.node.validate().map((message) => `${construct.node.path}: ${message}`));
}

/**
 * cdktf captures the full stack trace of every token it creates, only to quote it should the token
 * never resolve (sesform's constructs create none that cannot). Formatting those traces, through the
 * source maps that tsx turns on, was 80% of constructing 1,000 sets x 4 destinations (bench/scale.js).
 * While the stacks are built they stay unformatted; errors keep their messages, which is what
 * sesform reports.
 */
export function withoutTokenStackTraces<T>(work: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return work();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: readonly SesEnvironmentStack[];
}

/**
 * Writes `outdir` exactly as `cdktf synth` would for `main.ts`: the same App, stacks and manifest,
 * and stack folders that no longer belong to a stack removed. Nothing is written if a construct
 * validation fails. Orphans are kept when only some environments are synthesized.
 */
export function synthesize(
  fleet: Pick<Fleet, 'stacks'>,
  outdir: string,
  { removeOrphans = true, local }: { removeOrphans?: boolean; local?: LocalTarget } = {},
): SynthResult {
  refuseForeignOutput(outdir);
  const existing = listStackDirectories(outdir);
  fs.mkdirSync(path.dirname(outdir), { recursive: true }); // App creates outdir itself, but not its parents
  // Validated once, below, with every problem listed; cdktf would run the same validations again.
  const app = new App({ outdir, skipValidation: true });
  const stacks = withoutTokenStackTraces(() => {
    const added = addEnvironmentStacks(app, fleet, local);
    const errors = validationErrors(app);
    if (errors.length > 0)
      throw new Error(`construct validation failed; nothing was written:\n  ${errors.join('\n  ')}`);
    app.synth();
    return added;
  });
  fs.writeFileSync(path.join(outdir, OUTPUT_MARKER), 'written by sesform synth\n');
  for (const stack of stacks) fs.writeFileSync(path.join(outdir, 'stacks', stack.node.id, STACK_MARKER), '');
  const names = new Set(stacks.map((stack) => stack.node.id));
  // Only folders sesform wrote are ever removed.
  for (const directory of removeOrphans ? existing : [])
    if (!names.has(path.basename(directory)) && fs.existsSync(path.join(directory, STACK_MARKER)))
      fs.rmSync(directory, { recursive: true, force: true });
  return { outdir, stacks };
}

/** Marks an output folder, and each stack folder in it, as written by sesform. */
const OUTPUT_MARKER = '.sesform-output';
const STACK_MARKER = '.sesform-stack';

/** A non-empty folder that neither sesform nor cdktf wrote is never written into. */
function refuseForeignOutput(outdir: string): void {
  if (!fs.existsSync(outdir)) return;
  if (!fs.statSync(outdir).isDirectory())
    throw new Error(`${displayPath(outdir)} is not a folder: choose another --output.`);
  const entries = fs.readdirSync(outdir);
  if (entries.length === 0 || entries.includes(OUTPUT_MARKER) || isCdktfOutput(outdir)) return;
  throw new Error(
    `${displayPath(outdir)} is not empty and not a synth output (no ${OUTPUT_MARKER} marker, no cdktf manifest): give --output an empty or new folder.`,
  );
}

function isCdktfOutput(outdir: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    return typeof manifest.version === 'string' && typeof manifest.stacks === 'object';
  } catch {
    return false;
  }
}

function listStackDirectories(outdir: string): string[] {
  const stacksDir = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDir)) return [];
  return fs
    .readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(stacksDir, entry.name));
}
