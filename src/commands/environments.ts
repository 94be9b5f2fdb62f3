/**
 * The environments a command works on: loaded, selected by --env, checked (problems and budgets
 * become a CommandRefusal), with the cost model's report; and how problems and warnings are printed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { didYouMean } from '../../modules/did-you-mean';
import { CostReport, costOf } from '../cost/cost-model';
import { LoadResult, LoadedEnvironment, environmentsDir, loadEnvironments } from '../fleet/loader';
import { Problem, displayPath, formatProblem } from '../environment/problems';
import { EXIT } from '../exit-codes';
import type { Fleet, FleetStack } from '../fleet/fleet';
import { CommandRefusal } from './command';
import type { Options } from './options';

/** Loads every environment, then keeps those named by `--env` (an unknown name is a problem). */
export function loadSelected(options: Options): LoadResult & { every: Fleet } {
  const dir = environmentsDir(options.environments);
  const loaded = loadEnvironments(dir);
  const every = loaded.fleet;
  if (options.env.length === 0) return { ...loaded, every };
  const known = loaded.environments.map(({ environment }) => environment.name);
  const unknown: Problem[] = options.env
    .filter((name) => !known.includes(name) && !loaded.rejected.includes(name))
    .map((name) => ({
      file: displayPath(dir) || '.',
      path: '',
      message: `--env ${name}: no environment has this name (${known.length > 0 ? `the environments: ${[...known].sort().join(', ')}` : 'the folder has no valid environment'}).${didYouMean(name, known)}`,
    }));
  const selected = (name: string) => options.env.includes(name);
  return {
    environments: loaded.environments.filter(({ environment }) => selected(environment.name)),
    fleet: {
      environments: every.environments.filter(({ environment }) => selected(environment.name)),
      stacks: every.stacks.filter((stack) => selected(stack.environment.name)),
    },
    problems: [...loaded.problems, ...unknown],
    every,
    rejected: loaded.rejected,
    locate: loaded.locate,
  };
}

/** The selected environments' fleet with its cost, and the fleet of every valid environment of the folder. */
export interface SelectedEnvironments {
  readonly environments: readonly LoadedEnvironment[];
  readonly fleet: Fleet;
  readonly cost: CostReport;
  readonly every: Fleet;
}

/**
 * The environments --env selects (all without it), with their cost; invalid input is refused (exit 1)
 * with `consequence` said. Budgets are the caller's: see withinBudget.
 */
export function selectedEnvironments(options: Options, consequence: string): SelectedEnvironments {
  const { environments, fleet, problems, every, locate } = loadSelected(options);
  if (problems.length > 0) throw new CommandRefusal(problems, consequence);
  const report = costOf(fleet);
  return { environments, fleet, cost: { ...report, warnings: locate(report.warnings) }, every };
}

/** The selected environments, refused (exit 3, the guardrail) when over a budget: nothing may then be synthesized or run. */
export function withinBudget(selected: SelectedEnvironments, consequence: string): SelectedEnvironments {
  const { cost } = selected;
  if (cost.overBudget.length > 0)
    throw new CommandRefusal(cost.overBudget, `over budget, ${consequence}`, EXIT.guardrail, cost.warnings);
  return selected;
}

/** The stacks of the environments named by --env (at least one). */
export function namedStacks(options: Options, command: string): readonly FleetStack[] {
  if (options.env.length === 0) throw new Error(`${command} needs --env NAME.`);
  return selectedEnvironments(options, 'nothing was done').fleet.stacks;
}

/** A refusal as the user reads it: each problem at its file, line and column, or JSON. */
export function printRefusal(refusal: CommandRefusal, out: NodeJS.WritableStream, json: boolean): void {
  const { problems, warnings, consequence } = refusal;
  if (json) out.write(`${JSON.stringify({ ok: false, problems, warnings }, null, 2)}\n`);
  else {
    for (const problem of problems) out.write(`${formatProblem(problem)}\n`);
    const files = new Set(problems.map((problem) => problem.file)).size;
    out.write(`\n${problems.length} problem(s) in ${files} file(s); ${consequence}.\n`);
  }
}

export function printWarnings(warnings: readonly Problem[], out: NodeJS.WritableStream): void {
  for (const warning of warnings) out.write(`warning: ${formatProblem(warning)}\n`);
}

/** On AWS, verify sends from each environment's verify.from: refused for the environments that declare none. */
export function requireSenders(fleet: Fleet, consequence: string): void {
  const problems = fleet.environments
    .filter(({ environment }) => environment.verify === undefined)
    .map(({ file, environment }) => ({
      file,
      path: 'verify.from',
      message: `verify on AWS sends its test messages from a verified SES identity, and environment "${environment.name}" declares none: add verify.from (an address or domain verified in each of its regions).`,
    }));
  if (problems.length > 0) throw new CommandRefusal(problems, consequence);
}

/** The output folder that `cdktf synth` would use. */
export function cdktfOutputDir(): string {
  try {
    const config = JSON.parse(fs.readFileSync('cdktf.json', 'utf8')) as { output?: string };
    return config.output ?? 'cdktf.out';
  } catch {
    return 'cdktf.out';
  }
}

/** --plans, refused inside the environments folder, where plan records would be read as environment files. */
export function plansOutsideEnvironments(options: Options): string | undefined {
  if (options.plans === undefined) return undefined;
  const environments = environmentsDir(options.environments);
  const relative = path.relative(environments, path.resolve(options.plans));
  if (!relative.startsWith('..') && !path.isAbsolute(relative))
    throw new Error(
      `--plans ${options.plans} is inside the environments folder ${displayPath(environments)}: its plan records would be read as environment files. Choose another folder.`,
    );
  return options.plans;
}

/**
 * Modules that talk to AWS or Terraform are loaded when their command runs, so that validate and
 * synth stay fast. `require`, not `import()`: the TypeScript hook of the CLI (tsx/cjs) compiles
 * CommonJS requires only.
 */
export function onDemand<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as T;
}
