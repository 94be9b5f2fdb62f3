/**
 * `sesform`: validate environment files, estimate their metric cost, synthesize their stacks, and
 * plan, apply, check drift and roll out with real Terraform (on AWS, or on the embedded emulator).
 * Exit codes: 0 success and nothing to change, 1 invalid input or error, 2 changes or drift present
 * (plan, drift; bootstrap without --auto-approve), 3 refused by a guardrail (a budget, destroy protection).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean } from '../modules/did-you-mean';
import { localTargetFromEnvironment, synthesize } from './app';
import { defaultConcurrency } from './concurrency';
import { EXIT } from './exit-codes';
import { Shard, parseShard } from './engine/targets';
import { CostReport, costOf } from './cost/cost-model';
import { costMarkdown, costText } from './cost/cost-report';
import { LoadResult, LoadedEnvironment, environmentsDir, loadEnvironments } from './environment/loader';
import { Problem, displayPath, formatProblem } from './environment/problems';
import { stackName } from './environment/stack-naming';
import { LOCAL_ENDPOINT_ENV, localTarget } from './local/local-target';
import { localProviderVersion } from './terraform/terraform';

/** The commands that take --env/--all and run the plan/apply engine. */
type EngineCommandName = 'plan' | 'apply' | 'drift' | 'rollout';

const USAGE = `Usage: sesform <command> [options]

Commands:
  plan       synth, init and plan the selected stacks in parallel; save the plans for apply
  apply      apply exactly the saved plans, wave by wave (a missing or stale plan is an error)
  drift      refresh and compare: changes made outside Terraform, destinations and sets no file declares
  rollout    plan, then apply wave by wave (asks per wave on a terminal; --auto-approve in pipelines)
  report     print JSON reports again, or --merge the reports of several shards into one
  unlock     release a state lock left by a killed terraform (--stack, --lock-id: the report gives both)
  emulator   run the embedded emulator until Ctrl-C, for plan and apply run separately with --local
  validate   check every environment file and print every problem (and the cost warnings)
  cost       metrics and monthly CloudWatch cost per environment and region
  synth      validate, then write the stacks to cdktf.out as \`cdktf synth\` does
  adopt      import the account's existing sets and destinations that --env declares
  export     write an environment file from what an account already holds (--name, --role, --region)
  iam-policy the least-privilege policy of --env's deploy role, as JSON, for review
  bootstrap  create --env's account's state bucket and deploy role (plan; --auto-approve applies)

Options:
  --env NAME            only this environment (repeatable); default for validate, cost, synth: all
  --all                 plan, apply, drift, rollout: every environment (or name them with --env)
  --concurrency N       plan, apply, drift, rollout: stacks at once (default: one per CPU core)
  --wave N              plan, apply, drift, rollout: only the stacks of wave N (repeatable), e.g. one
                        pipeline job per wave
  --shard I/N           plan, apply, drift, rollout: only shard I of N of the selected stacks (each
                        wave dealt evenly), for a matrix of pipeline jobs; combine with report --merge
  --allow-destroy SET   apply, rollout: let the plan destroy or replace this configuration set of a
                        protected environment (repeatable)
  --merge               report: combine the JSON reports given as arguments into one report and exit code
  --stack S, --lock-id ID  unlock: the stack and the lock to release
  --plans DIR           where plan saves and apply reads plans (default .sesform/plans, .sesform/local/plans)
  --environments DIR    the environment files' folder (default: $SESFORM_ENVIRONMENTS or ./environments)
  --output DIR          synth output folder (default: cdktf.json's "output", else cdktf.out)
  --json                machine-readable output on stdout
  --markdown FILE       cost, plan, apply, drift, rollout, report: also write the report as Markdown
                        (for a pull-request comment)
  --name, --role ARN, --region R, --external-id ID, --state-bucket B, --state-key-prefix P,
  --state-region R      export: the new environment's fields (or --env NAME to take them from one)
  --admin-role ARN      bootstrap: assume this role for the admin work (default: ambient credentials)
  --auto-approve        bootstrap: apply the plan; rollout: apply every wave without asking
  --local               retarget the stacks at the emulator given by --endpoint; plan, apply, drift and
                        rollout start (and stop) an emulator of their own when no address is given
  --endpoint URL        the emulator's loopback address (default: $${LOCAL_ENDPOINT_ENV})
  -h, --help            this text

Exit codes: 0 success, nothing to change; 1 error or invalid input; 2 changes or drift present
(plan, drift), or changes left unapplied; 3 refused by a guardrail (budget, destroy protection).
`;

interface Options {
  readonly env: string[];
  readonly all: boolean;
  readonly wave: string[];
  readonly concurrency?: string;
  readonly shard?: string;
  readonly 'allow-destroy': string[];
  readonly merge: boolean;
  readonly stack?: string;
  readonly 'lock-id'?: string;
  readonly plans?: string;
  readonly environments?: string;
  readonly output?: string;
  readonly json: boolean;
  readonly markdown?: string;
  readonly local: boolean;
  readonly endpoint?: string;
  readonly name?: string;
  readonly 'admin-role'?: string;
  readonly 'auto-approve': boolean;
  readonly role?: string;
  readonly region?: string;
  readonly 'external-id'?: string;
  readonly 'state-bucket'?: string;
  readonly 'state-key-prefix'?: string;
  readonly 'state-region'?: string;
}

/**
 * Commands that talk to AWS or Terraform are loaded when run, so that validate and synth stay fast.
 * `require`, not `import()`: the TypeScript hook of the CLI (tsx/cjs) compiles CommonJS requires only.
 */
function onDemand<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as T;
}

const COMMAND_NAMES = [
  'plan',
  'apply',
  'drift',
  'rollout',
  'report',
  'unlock',
  'emulator',
  'validate',
  'cost',
  'synth',
  'adopt',
  'iam-policy',
  'bootstrap',
  'export',
] as const;
type CommandName = (typeof COMMAND_NAMES)[number];
const isCommand = (name: string): name is CommandName => (COMMAND_NAMES as readonly string[]).includes(name);
const isEngineCommand = (name: string): name is EngineCommandName =>
  ['plan', 'apply', 'drift', 'rollout'].includes(name);

const OPTIONS = {
  env: { type: 'string', multiple: true, default: [] },
  all: { type: 'boolean', default: false },
  wave: { type: 'string', multiple: true, default: [] },
  concurrency: { type: 'string' },
  shard: { type: 'string' },
  'allow-destroy': { type: 'string', multiple: true, default: [] },
  merge: { type: 'boolean', default: false },
  stack: { type: 'string' },
  'lock-id': { type: 'string' },
  plans: { type: 'string' },
  environments: { type: 'string' },
  output: { type: 'string' },
  json: { type: 'boolean', default: false },
  markdown: { type: 'string' },
  local: { type: 'boolean', default: false },
  endpoint: { type: 'string' },
  name: { type: 'string' },
  'admin-role': { type: 'string' },
  'auto-approve': { type: 'boolean', default: false },
  role: { type: 'string' },
  region: { type: 'string' },
  'external-id': { type: 'string' },
  'state-bucket': { type: 'string' },
  'state-key-prefix': { type: 'string' },
  'state-region': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

interface CommandLine {
  readonly command?: string;
  readonly extra: string[];
  readonly options: Options & { help: boolean };
}

/** The command, its extra arguments and its options; throws on an unknown option or a missing value. */
function parseCommandLine(argv: readonly string[]): CommandLine {
  const parsed = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  const [command, ...extra] = parsed.positionals;
  return { command, extra, options: parsed.values as unknown as CommandLine['options'] };
}

/** Only `report` takes arguments (its JSON files); any other command refuses them. */
function unexpectedArgument(command: string, extra: readonly string[]): string | undefined {
  return extra.length > 0 && command !== 'report' ? `unexpected argument "${extra[0]}"` : undefined;
}

/**
 * What is wrong with a sesform command line, without running it: for checking the invocations in
 * pipeline files. Empty when the command would start.
 */
export function invocationProblems(argv: readonly string[]): string[] {
  let parsed: CommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return [(error as Error).message];
  }
  const { command, extra, options } = parsed;
  if (command === undefined) return ['no command'];
  if (!isCommand(command)) return [`unknown command "${command}".${didYouMean(command, [...COMMAND_NAMES])}`];
  const problems: string[] = [];
  const unexpected = unexpectedArgument(command, extra);
  if (unexpected) problems.push(unexpected);
  if (command === 'report' && extra.length === 0) problems.push('report needs the JSON reports to read');
  if (isEngineCommand(command)) {
    if (options.all === options.env.length > 0) problems.push(`${command} needs --env NAME or --all, not both`);
    try {
      engineSelection(options);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/** The numeric engine options, checked. */
function engineSelection(options: Options): { concurrency?: number; waves: number[]; shard?: Shard } {
  const concurrency = positiveInteger(options.concurrency, '--concurrency');
  const waves = options.wave.map((wave) => {
    const value = Number(wave);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--wave ${wave}: expected a wave number (0 or more).`);
    return value;
  });
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  return { concurrency, waves, shard };
}

/** Runs one command; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  /** Asks rollout's per-wave question; default: on the terminal. */
  prompt?: (question: string) => Promise<boolean>,
): Promise<number> {
  let parsed: CommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    err.write(`sesform: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.error;
  }
  const { command, extra } = parsed;
  if (parsed.options.help || command === undefined || command === 'help') {
    (command === undefined && !parsed.options.help ? err : out).write(USAGE);
    return command === undefined && !parsed.options.help ? EXIT.error : EXIT.ok;
  }
  const unexpected = unexpectedArgument(command, extra);
  if (unexpected) {
    err.write(`sesform: ${unexpected}\n`);
    return EXIT.error;
  }
  const options = parsed.options;
  const engine = (name: EngineCommandName) => (options: Options, out: NodeJS.WritableStream) =>
    engineCommand(name, options, out, err, prompt);
  const commands: Record<CommandName, (options: Options, out: NodeJS.WritableStream) => number | Promise<number>> = {
    plan: engine('plan'),
    apply: engine('apply'),
    drift: engine('drift'),
    rollout: engine('rollout'),
    report: (options, out) => reportCommand(extra, options, out),
    unlock: unlockCommand,
    emulator: (_options, out) => engineModule().emulatorCommand(out),
    validate,
    cost,
    synth,
    adopt: adoptCommand,
    'iam-policy': iamPolicyCommand,
    bootstrap: bootstrapCommand,
    export: exportCommand,
  };
  const run = isCommand(command) ? commands[command] : undefined;
  if (run === undefined) {
    err.write(`sesform: unknown command "${command}".${didYouMean(command, [...COMMAND_NAMES])}\n\n${USAGE}`);
    return EXIT.error;
  }
  try {
    return await run(options, out);
  } catch (error) {
    err.write(`sesform: ${(error as Error).message}\n`);
    return EXIT.error;
  }
}

/** Loads every environment, then keeps those named by `--env` (an unknown name is a problem). */
function loadSelected(options: Options): LoadResult & { every: LoadedEnvironment[] } {
  const dir = environmentsDir(options.environments);
  const loaded = loadEnvironments(dir);
  const every = loaded.environments;
  if (options.env.length === 0) return { ...loaded, every };
  const known = loaded.environments.map(({ environment }) => environment.name);
  const unknown: Problem[] = options.env
    .filter((name) => !known.includes(name))
    .map((name) => ({
      file: displayPath(dir),
      path: '',
      message: `--env ${name}: no valid environment has this name.${didYouMean(name, known)}`,
    }));
  return {
    environments: loaded.environments.filter(({ environment }) => options.env.includes(environment.name)),
    problems: [...loaded.problems, ...unknown],
    every,
  };
}

function environmentSummary({ file, environment }: LoadedEnvironment) {
  return {
    name: environment.name,
    file,
    accountId: environment.accountId,
    wave: environment.wave,
    protect: environment.protect,
    stacks: environment.regions.map((region) => stackName(environment.name, region)),
    configurationSets: environment.configurationSets.map((set) => set.name),
    eventDestinations: environment.configurationSets.reduce((sum, set) => sum + set.eventDestinations.length, 0),
  };
}

function reportProblems(
  problems: readonly Problem[],
  out: NodeJS.WritableStream,
  json: boolean,
  what: string,
  { exit = EXIT.error as number, warnings = [] as readonly Problem[] } = {},
): number {
  if (json) out.write(`${JSON.stringify({ ok: false, problems, warnings }, null, 2)}\n`);
  else {
    for (const problem of problems) out.write(`${formatProblem(problem)}\n`);
    const files = new Set(problems.map((problem) => problem.file)).size;
    out.write(`\n${problems.length} problem(s) in ${files} file(s); ${what}.\n`);
  }
  return exit;
}

function printWarnings(warnings: readonly Problem[], out: NodeJS.WritableStream): void {
  for (const warning of warnings) out.write(`warning: ${formatProblem(warning)}\n`);
}

/** The selected environments with their cost, and every valid environment of the folder. */
interface CheckedEnvironments {
  readonly environments: LoadedEnvironment[];
  readonly cost: CostReport;
  readonly every: LoadedEnvironment[];
}

/**
 * The selected environments with their cost, or the exit code after reporting why not: invalid
 * input (1), or a budget exceeded (3, the guardrail), in which case nothing may be synthesized or run.
 */
function checkedEnvironments(
  options: Options,
  out: NodeJS.WritableStream,
  refused: string,
): CheckedEnvironments | number {
  const { environments, problems, every } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, refused);
  const cost = costOf(environments);
  if (cost.overBudget.length > 0)
    return reportProblems(cost.overBudget, out, options.json, `over budget, ${refused}`, {
      exit: EXIT.guardrail,
      warnings: cost.warnings,
    });
  return { environments, cost, every };
}

function validate(options: Options, out: NodeJS.WritableStream): number {
  const checked = checkedEnvironments(options, out, 'fix them and run again');
  if (typeof checked === 'number') return checked;
  const summaries = checked.environments.map(environmentSummary);
  const { warnings } = checked.cost;
  if (options.json)
    out.write(`${JSON.stringify({ ok: true, environments: summaries, problems: [], warnings }, null, 2)}\n`);
  else {
    for (const summary of summaries)
      out.write(
        `ok  ${summary.name.padEnd(12)} account ${summary.accountId}  wave ${summary.wave}  ${summary.configurationSets.length} set(s), ${summary.eventDestinations} destination(s)  stacks: ${summary.stacks.join(', ')}\n`,
      );
    printWarnings(warnings, out);
    out.write(
      `${summaries.length} environment(s) valid${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}.\n`,
    );
  }
  return EXIT.ok;
}

function cost(options: Options, out: NodeJS.WritableStream): number {
  const checked = checkedEnvironments(options, out, 'see the report');
  const report = typeof checked === 'number' ? costOf(loadSelected(options).environments) : checked.cost;
  if (options.markdown !== undefined) fs.writeFileSync(options.markdown, costMarkdown(report));
  if (typeof checked === 'number') {
    if (!options.json) out.write(`\n${costText(report)}`);
    return checked;
  }
  out.write(options.json ? `${JSON.stringify({ ok: true, ...report }, null, 2)}\n` : costText(report));
  return EXIT.ok;
}

function synth(options: Options, out: NodeJS.WritableStream): number {
  const checked = checkedEnvironments(options, out, 'nothing was synthesized');
  if (typeof checked === 'number') return checked;
  const { environments, cost: estimate } = checked;
  const outdir = path.resolve(options.output ?? cdktfOutputDir());
  const local = options.local ? localTargetOption(options) : localTargetFromEnvironment();
  const { stacks } = synthesize(environments, outdir, { removeOrphans: options.env.length === 0, local });
  const names = stacks.map((stack) => stack.node.id);
  if (options.json)
    out.write(
      `${JSON.stringify({ ok: true, outdir: displayPath(outdir), stacks: names, problems: [], warnings: estimate.warnings }, null, 2)}\n`,
    );
  else {
    printWarnings(estimate.warnings, out);
    out.write(`Synthesized ${names.length} stack(s) to ${displayPath(outdir)}: ${names.join(', ')}\n`);
  }
  return EXIT.ok;
}

/** `--local` needs the emulator's address: `--endpoint`, or the environment variable. */
function localTargetOption(options: Options) {
  const endpoint = options.endpoint ?? process.env[LOCAL_ENDPOINT_ENV];
  if (endpoint === undefined)
    throw new Error(`--local needs the emulator's address: --endpoint http://127.0.0.1:PORT or ${LOCAL_ENDPOINT_ENV}.`);
  return localTarget(endpoint, localProviderVersion());
}

async function adoptCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  if (options.env.length === 0) throw new Error('adopt needs --env NAME: the environment whose account to adopt.');
  const { environments, problems } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was adopted');
  const local = options.local ? localTargetOption(options) : undefined;
  const { adopt, describeAdoption } = onDemand<typeof import('./adoption/adopt')>('./adoption/adopt');
  const results = [];
  for (const loaded of environments) results.push(...(await adopt(loaded, local)));
  if (options.json) out.write(`${JSON.stringify({ ok: true, adoptions: results }, null, 2)}\n`);
  else for (const result of results) out.write(`${describeAdoption(result).join('\n')}\n`);
  return EXIT.ok;
}

/** The environments named by --env (at least one), or the exit code after reporting why not. */
function namedEnvironments(
  options: Options,
  out: NodeJS.WritableStream,
  command: string,
): LoadedEnvironment[] | number {
  if (options.env.length === 0) throw new Error(`${command} needs --env NAME.`);
  const { environments, problems } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was done');
  return environments;
}

async function iamPolicyCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  const environments = namedEnvironments(options, out, 'iam-policy');
  if (typeof environments === 'number') return environments;
  const { deployRolePolicy } = onDemand<typeof import('./bootstrap/deploy-policy')>('./bootstrap/deploy-policy');
  out.write(`${JSON.stringify(deployRolePolicy(environments.map(({ environment }) => environment)), null, 2)}\n`);
  return EXIT.ok;
}

async function bootstrapCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  const environments = namedEnvironments(options, out, 'bootstrap');
  if (typeof environments === 'number') return environments;
  const { bootstrap } = onDemand<typeof import('./bootstrap/bootstrap')>('./bootstrap/bootstrap');
  return bootstrap({
    environments: environments.map(({ environment }) => environment),
    adminRoleArn: options['admin-role'],
    local: options.local ? localTargetOption(options) : undefined,
    autoApprove: options['auto-approve'],
    out,
  });
}

async function exportCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  let base: LoadedEnvironment['environment'] | undefined;
  if (options.env.length > 0) {
    const { environments, problems } = loadSelected(options);
    if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was exported');
    base = environments[0].environment;
  }
  const name = options.name ?? base?.name;
  const roleArn = options.role ?? base?.deployRole.arn;
  const region = options.region ?? base?.regions[0];
  if (name === undefined || roleArn === undefined || region === undefined)
    throw new Error('export needs --name, --role and --region (or --env NAME to take them from an environment).');
  const file = path.resolve(options.output ?? path.join(environmentsDir(options.environments), `${name}.yaml`));
  const { exportEnvironment } = onDemand<typeof import('./adoption/export')>('./adoption/export');
  const result = await exportEnvironment({
    name,
    roleArn,
    externalId: options['external-id'] ?? base?.deployRole.externalId,
    region,
    stateBackend: {
      bucket:
        options['state-bucket'] ??
        base?.stateBackend.bucket ??
        `sesform-state-${/::(\d{12}):/.exec(roleArn)?.[1] ?? 'account'}`,
      keyPrefix: options['state-key-prefix'] ?? base?.stateBackend.keyPrefix ?? 'ses',
      region: options['state-region'] ?? base?.stateBackend.region ?? region,
    },
    file,
    local: options.local ? localTargetOption(options) : undefined,
  });
  if (options.json) out.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
  else {
    out.write(
      `Exported ${result.configurationSets} configuration set(s) and ${result.eventDestinations} destination(s) to ${displayPath(result.file)}; imports in ${displayPath(result.manifest)}.\n`,
    );
    for (const skipped of result.skipped)
      out.write(`  skipped ${skipped}: not a CloudWatch destination, which sesform does not manage\n`);
  }
  return EXIT.ok;
}

const engineModule = () => onDemand<typeof import('./engine/commands')>('./engine/commands');

function positiveInteger(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${option} ${text}: expected a whole number of 1 or more.`);
  return value;
}

/** plan, apply, drift, rollout: the selection checked (validation, budgets) before any engine work. */
async function engineCommand(
  command: EngineCommandName,
  options: Options,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  prompt?: (question: string) => Promise<boolean>,
): Promise<number> {
  if (options.all === options.env.length > 0)
    throw new Error(`${command} needs the environments to work on: --env NAME (repeatable) or --all, not both.`);
  const selection = engineSelection(options);
  const concurrency = selection.concurrency ?? defaultConcurrency();
  // Drift is read-only: a budget must not hide it, so only invalid input stops it.
  const checked =
    command === 'drift' ? readableEnvironments(options, out) : checkedEnvironments(options, out, 'nothing was run');
  if (typeof checked === 'number') return checked;
  if (!options.json) printWarnings(checked.cost.warnings, err);
  return engineModule().runEngineCommand({
    command,
    environments: checked.environments,
    everyEnvironment: checked.every,
    cost: checked.cost,
    local: options.local,
    endpoint: options.endpoint,
    output: options.output,
    plans: options.plans,
    concurrency,
    waves: selection.waves,
    shard: selection.shard,
    json: options.json,
    markdown: options.markdown,
    allowDestroy: options['allow-destroy'],
    autoApprove: options['auto-approve'],
    prompt,
    defaultOutput: cdktfOutputDir(),
    out,
    err,
  });
}

/** The selected environments, or the exit code after reporting invalid input. */
function readableEnvironments(options: Options, out: NodeJS.WritableStream): CheckedEnvironments | number {
  const { environments, problems, every } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was run');
  return { environments, cost: costOf(environments), every };
}

function reportCommand(files: readonly string[], options: Options, out: NodeJS.WritableStream): number {
  return engineModule().mergeCommand(files, { json: options.json, markdown: options.markdown, out });
}

function unlockCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  return engineModule().unlockCommand({
    stack: options.stack,
    lockId: options['lock-id'],
    local: options.local,
    output: options.output,
    defaultOutput: cdktfOutputDir(),
    out,
  });
}

/** The output folder that `cdktf synth` would use. */
function cdktfOutputDir(): string {
  try {
    const config = JSON.parse(fs.readFileSync('cdktf.json', 'utf8')) as { output?: string };
    return config.output ?? 'cdktf.out';
  } catch {
    return 'cdktf.out';
  }
}
