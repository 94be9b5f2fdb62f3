/**
 * Wires validated environments to stacks, and synthesizes them the way `cdktf synth` does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { LoadedEnvironment, environmentsDir, loadEnvironments } from './environment/loader';
import { readImportManifest } from './adoption/import-manifest';
import { formatProblem } from './environment/problems';
import { stackName } from './environment/stack-naming';
import { LOCAL_ENDPOINT_ENV, LocalTarget, localTarget } from './local/local-target';
import { SesEnvironmentStack } from './stack';
import { localProviderVersion } from './terraform/terraform';

/** One stack per environment and region, in environment order; retargeted at the emulator when `local` is given. */
export function addEnvironmentStacks(
  app: App,
  environments: readonly LoadedEnvironment[],
  local?: LocalTarget,
): SesEnvironmentStack[] {
  return environments.flatMap(({ environment, file }) =>
    environment.regions.map(
      (region) =>
        new SesEnvironmentStack(app, {
          environment,
          region,
          local,
          imports: readImportManifest(file, stackName(environment.name, region)),
        }),
    ),
  );
}

/** Local mode from the environment (SESFORM_LOCAL_ENDPOINT), for `main.ts` under the stock cdktf CLI. */
export function localTargetFromEnvironment(): LocalTarget | undefined {
  const endpoint = process.env[LOCAL_ENDPOINT_ENV];
  return endpoint ? localTarget(endpoint, localProviderVersion()) : undefined;
}

/** For `main.ts` under the stock cdktf CLI: the environments, or every problem on stderr and exit 1. */
export function loadEnvironmentsOrExit(): LoadedEnvironment[] {
  const { environments, problems } = loadEnvironments(environmentsDir());
  if (problems.length === 0) return environments;
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
  environments: readonly LoadedEnvironment[],
  outdir: string,
  { removeOrphans = true, local }: { removeOrphans?: boolean; local?: LocalTarget } = {},
): SynthResult {
  const existing = listStackDirectories(outdir);
  fs.mkdirSync(path.dirname(outdir), { recursive: true }); // App creates outdir itself, but not its parents
  const app = new App({ outdir });
  const stacks = addEnvironmentStacks(app, environments, local);
  const errors = validationErrors(app);
  if (errors.length > 0) throw new Error(`construct validation failed; nothing was written:\n  ${errors.join('\n  ')}`);
  app.synth();
  const names = new Set(stacks.map((stack) => stack.node.id));
  for (const directory of removeOrphans ? existing : [])
    if (!names.has(path.basename(directory))) fs.rmSync(directory, { recursive: true, force: true });
  return { outdir, stacks };
}

function listStackDirectories(outdir: string): string[] {
  const stacksDir = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDir)) return [];
  return fs
    .readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(stacksDir, entry.name));
}
