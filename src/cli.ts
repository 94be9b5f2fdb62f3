/**
 * `sesform`: validate environment files, estimate their metric cost, synthesize their stacks, and
 * plan, apply, check drift and roll out with real Terraform (on AWS, or on the embedded emulator).
 * Exit codes: 0 success and nothing to change, 1 invalid input or error, 2 changes or drift present
 * (plan, drift; bootstrap without --auto-approve), 3 refused by a guardrail (a budget, destroy protection,
 * a plan that is not the reviewed one).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { didYouMean } from '../modules/did-you-mean';
import { defaultConcurrency } from './concurrency';
import { SESFORM_VARIABLES } from './config';
import { EXIT } from './exit-codes';
import { Shard, parseShard, selectStacks } from './engine/scheduling';
import { CostReport, costOf } from './cost/cost-model';
import { costView } from './cost/cost-view';
import { costMarkdown, costText } from './cost/cost-report';
import { LoadResult, LoadedEnvironment, environmentsDir, loadEnvironments } from './environment/loader';
import { Problem, displayPath, formatProblem } from './environment/problems';
import { Fleet, FleetStack, withPlanRole } from './fleet/fleet';
import { localEndpoint, requestedLocalTarget } from './local/local-target';
import { fleetFingerprint } from './engine/plan-store';

// --- the option and command tables: parsing, checks and usage text all come from here ------------

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** The value's placeholder in usage text. */
  readonly value?: string;
  readonly help: string;
}

const OPTION_SPECS = {
  env: { type: 'string', multiple: true, value: 'NAME', help: 'only this environment (repeatable)' },
  all: { type: 'boolean', help: 'every environment (the engine commands need --env or --all)' },
  wave: { type: 'string', multiple: true, value: 'N', help: 'only the stacks of wave N (repeatable)' },
  shard: { type: 'string', value: 'I/N', help: 'only shard I of N of the selected stacks (each wave dealt evenly)' },
  concurrency: { type: 'string', value: 'N', help: 'stacks at once (default: one per CPU core)' },
  'allow-destroy': {
    type: 'string',
    multiple: true,
    value: 'SET',
    help: 'let the plan destroy or replace this configuration set of a protected environment (repeatable)',
  },
  'auto-approve': { type: 'boolean', help: 'apply without asking' },
  set: { type: 'string', value: 'SET', help: 'senders: only this configuration set' },
  format: { type: 'string', value: 'F', help: 'senders: api (default), smtp, sdk-js or json' },
  verify: {
    type: 'boolean',
    help: 'after each wave, verify its metrics (as sesform verify); a missing one stops the waves after it',
  },
  tls: {
    type: 'boolean',
    help: 'serve HTTPS (a throwaway certificate for the loopback address): what a bootstrapped, TLS-only state bucket needs',
  },
  probe: {
    type: 'boolean',
    help: 'verify with a probe value per tag, header and link dimension (extra series; their cost is shown first)',
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: 'verify: how long to wait for the metrics (default 600; 30 locally)',
  },
  'read-only': {
    type: 'boolean',
    help: "through each environment's plan role, which reads only (pull requests, drift); such plans are never applied",
  },
  merge: { type: 'boolean', help: 'combine the JSON reports of several shards into one report and exit code' },
  stack: { type: 'string', value: 'S', help: 'the stack whose lock to release' },
  'lock-id': { type: 'string', value: 'ID', help: 'the lock to release (the report gives it)' },
  plans: { type: 'string', value: 'DIR', help: 'saved plans (default .sesform/plans, .sesform/local/plans)' },
  reviewed: {
    type: 'string',
    value: 'DIR',
    help: "the plan records a review approved (a --plans folder): compare each plan with its stack's; rollout applies only identical plans",
  },
  environments: {
    type: 'string',
    value: 'DIR',
    help: `the environment files' folder (default: $${SESFORM_VARIABLES.environments} or ./environments)`,
  },
  output: { type: 'string', value: 'DIR', help: "synth output folder (default: cdktf.json's output, else cdktf.out)" },
  json: { type: 'boolean', help: 'machine-readable output on stdout' },
  html: {
    type: 'string',
    value: 'FILE',
    help: 'also write the report as one self-contained HTML file (charts, no network)',
  },
  markdown: { type: 'string', value: 'FILE', help: 'also write the report as Markdown (a pull-request comment)' },
  local: { type: 'boolean', help: 'run against the embedded emulator (local mode)' },
  endpoint: {
    type: 'string',
    value: 'URL',
    help: `the emulator's loopback address for --local (default: $${SESFORM_VARIABLES.localEndpoint})`,
  },
  name: { type: 'string', value: 'NAME', help: "the new environment's name" },
  role: { type: 'string', value: 'ARN', help: 'the deploy role to read the account with' },
  region: { type: 'string', value: 'R', help: 'the region to read' },
  'external-id': { type: 'string', value: 'ID', help: "the deploy role's external ID" },
  'state-bucket': { type: 'string', value: 'B', help: "the new environment's state bucket" },
  'state-key-prefix': { type: 'string', value: 'P', help: "the new environment's state key prefix" },
  'state-region': { type: 'string', value: 'R', help: "the state bucket's region" },
  'admin-role': {
    type: 'string',
    value: 'ARN',
    help: 'assume this role for the admin work (default: ambient credentials)',
  },
  help: { type: 'boolean', help: "this command's options" },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTION_SPECS;

/** Every option's value after parsing; an option a command does not take keeps its default. */
interface Options {
  readonly env: string[];
  readonly all: boolean;
  readonly wave: string[];
  readonly shard?: string;
  readonly concurrency?: string;
  readonly 'allow-destroy': string[];
  readonly 'auto-approve': boolean;
  readonly 'read-only': boolean;
  readonly probe: boolean;
  readonly tls: boolean;
  readonly verify: boolean;
  readonly set?: string;
  readonly format?: string;
  readonly timeout?: string;
  readonly merge: boolean;
  readonly stack?: string;
  readonly 'lock-id'?: string;
  readonly plans?: string;
  readonly reviewed?: string;
  readonly environments?: string;
  readonly output?: string;
  readonly json: boolean;
  readonly markdown?: string;
  readonly html?: string;
  readonly local: boolean;
  readonly endpoint?: string;
  readonly name?: string;
  readonly role?: string;
  readonly region?: string;
  readonly 'external-id'?: string;
  readonly 'state-bucket'?: string;
  readonly 'state-key-prefix'?: string;
  readonly 'state-region'?: string;
  readonly 'admin-role'?: string;
  readonly help: boolean;
}

const SELECTION: OptionName[] = ['env', 'environments'];
/** The selection and reporting options of every command that works on stacks. */
const STACKS: OptionName[] = [
  'env',
  'all',
  'wave',
  'shard',
  'concurrency',
  'environments',
  'json',
  'markdown',
  'html',
  'local',
  'endpoint',
];
const ENGINE: OptionName[] = [...STACKS, 'output'];

interface CommandSpec {
  readonly summary: string;
  readonly options: readonly OptionName[];
  /** Positional arguments, for usage text; commands without it take none. */
  readonly args?: string;
}

const COMMANDS = {
  plan: {
    summary: 'synth, init and plan the selected stacks in parallel; save the plans for apply',
    options: [...ENGINE, 'plans', 'read-only', 'reviewed'],
  },
  apply: {
    summary: 'apply exactly the saved plans, wave by wave (a missing or stale plan is an error)',
    options: [...ENGINE, 'plans', 'allow-destroy'],
  },
  drift: {
    summary: 'refresh and compare: changes made outside Terraform, destinations and sets no file declares',
    options: [...ENGINE, 'read-only'],
  },
  rollout: {
    summary: 'plan, then apply wave by wave (asks per wave on a terminal; --auto-approve in pipelines)',
    options: [...ENGINE, 'plans', 'allow-destroy', 'auto-approve', 'verify', 'reviewed'],
  },
  verify: {
    summary: 'send test mail through each set and check CloudWatch for every declared metric series',
    options: [...STACKS, 'probe', 'timeout'],
  },
  senders: {
    summary: "what applications put on their mail so that every dimension of --env's sets gets a real value",
    options: ['env', 'environments', 'set', 'format'],
  },
  report: {
    summary: 'print a JSON report again; --merge combines the reports of several shards into one',
    options: ['merge', 'json', 'markdown', 'html'],
    args: 'FILE...',
  },
  unlock: {
    summary: 'release a state lock left by a killed terraform (--stack, --lock-id: the report gives both)',
    options: ['stack', 'lock-id', 'local', 'output'],
  },
  emulator: {
    summary: 'run the embedded emulator until Ctrl-C, for plan and apply run separately with --local',
    options: ['tls'],
  },
  validate: {
    summary: 'check every environment file and print every problem (and the cost warnings)',
    options: [...SELECTION, 'json'],
  },
  cost: {
    summary: 'metrics and monthly CloudWatch cost per environment and region',
    options: [...SELECTION, 'json', 'markdown', 'html'],
  },
  synth: {
    summary: 'validate, then write the stacks to cdktf.out as `cdktf synth` does',
    options: [...SELECTION, 'output', 'json', 'local', 'endpoint'],
  },
  adopt: {
    summary: "import the account's existing sets and destinations that --env declares",
    options: [...SELECTION, 'json', 'local', 'endpoint'],
  },
  export: {
    summary: 'write an environment file from what an account already holds (--name, --role, --region)',
    options: [
      ...SELECTION,
      'name',
      'role',
      'region',
      'external-id',
      'state-bucket',
      'state-key-prefix',
      'state-region',
      'output',
      'json',
      'local',
      'endpoint',
    ],
  },
  'iam-policy': {
    summary: "--env's roles as JSON, for review: deploy and plan roles, pipeline roles; trust and policy of each",
    options: SELECTION,
  },
  bootstrap: {
    summary: "create --env's account's state bucket, deploy role and plan role (plan; --auto-approve applies)",
    options: [...SELECTION, 'admin-role', 'auto-approve', 'local', 'endpoint'],
  },
  doctor: {
    summary: 'check what this machine gives sesform (Node, Terraform, the AWS provider, the emulator, credentials)',
    options: ['json'],
  },
} as const satisfies Record<string, CommandSpec>;

type CommandName = keyof typeof COMMANDS;
const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/** The commands that take --env/--all and run the plan/apply engine. */
type EngineCommandName = 'plan' | 'apply' | 'drift' | 'rollout';
const isEngineCommand = (name: string): name is EngineCommandName =>
  ['plan', 'apply', 'drift', 'rollout'].includes(name);

const EXIT_CODES = `Exit codes: 0 success, nothing to change; 1 error or invalid input; 2 changes or drift present
(plan, drift), or changes left unapplied; 3 refused by a guardrail (budget, destroy protection,
a plan that is not the reviewed one).
`;

function optionLine(name: OptionName): string {
  const spec: OptionSpec = OPTION_SPECS[name];
  const flag = `--${name}${spec.value ? ` ${spec.value}` : ''}`;
  return `  ${flag.padEnd(24)}${spec.help}`;
}

/** The options a command takes (`--help` aside), from its table; empty for an unknown command. */
export function commandOptions(command: string): readonly string[] {
  return isCommand(command) ? COMMANDS[command].options : [];
}

/** `sesform --help`: every command. */
export function usage(): string {
  const commands = COMMAND_NAMES.map((name) => `  ${name.padEnd(11)}${COMMANDS[name].summary}`);
  return `Usage: sesform <command> [options]    (sesform <command> --help for its options; sesform --version)\n\nCommands:\n${commands.join('\n')}\n\n${EXIT_CODES}`;
}

/** `sesform <command> --help`: the command's own options, from the same table the parser uses. */
export function commandUsage(command: CommandName): string {
  const spec: CommandSpec = COMMANDS[command];
  const options = [...spec.options, 'help' as const].map(optionLine);
  return `Usage: sesform ${command}${spec.args ? ` ${spec.args}` : ''} [options]\n\n${spec.summary}\n\nOptions:\n${options.join('\n')}\n\n${EXIT_CODES}`;
}

interface CommandLine {
  readonly command: CommandName;
  readonly args: string[];
  readonly options: Options;
}

/** Parses a command line against its command's own options; throws with the option and the command named. */
function parseCommandLine(argv: readonly string[]): CommandLine {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('-'))
    throw new Error('the command comes first: sesform <command> [options].');
  if (!isCommand(command)) throw new Error(`unknown command "${command}".${didYouMean(command, COMMAND_NAMES)}`);
  const spec: CommandSpec = COMMANDS[command];
  const allowed = new Set<string>([...spec.options, 'help']);
  // First every token, to name an option the command does not take; then a strict parse of the command's own.
  const { tokens } = parseArgs({
    args: rest,
    options: OPTION_SPECS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens)
    if (token.kind === 'option' && !allowed.has(token.name)) {
      const known = Object.hasOwn(OPTION_SPECS, token.name);
      throw new Error(
        `${token.rawName} is not an option of ${command}.${known ? '' : didYouMean(token.name, [...allowed])} Options of ${command}: ${[...allowed].map((name) => `--${name}`).join(', ')}.`,
      );
    }
  const own = Object.fromEntries([...allowed].map((name) => [name, OPTION_SPECS[name as OptionName]]));
  const parsed = parseArgs({ args: rest, options: own, allowPositionals: true, strict: true });
  if (parsed.positionals.length > 0 && spec.args === undefined)
    throw new Error(`${command} takes no arguments; unexpected "${parsed.positionals[0]}".`);
  const defaults = {
    env: [],
    wave: [],
    'allow-destroy': [],
    all: false,
    'auto-approve': false,
    'read-only': false,
    probe: false,
    tls: false,
    verify: false,
    merge: false,
    json: false,
    local: false,
    help: false,
  };
  return { command, args: parsed.positionals, options: { ...defaults, ...parsed.values } as Options };
}

/** The checks a command makes before it runs, that need no files: selection and numbers. */
function commandLineProblems({ command, args, options }: CommandLine): string[] {
  const problems: string[] = [];
  if (command === 'report') {
    if (args.length === 0)
      problems.push('report needs the JSON report to read: sesform report FILE, or --merge FILE...');
    else if (args.length > 1 && !options.merge)
      problems.push(`report got ${args.length} reports: combine them with --merge, or give one to print it again.`);
  }
  if (isEngineCommand(command) || command === 'verify') {
    if (options.all === options.env.length > 0)
      problems.push(`${command} needs the environments to work on: --env NAME (repeatable) or --all, not both.`);
    try {
      engineSelection(options);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/**
 * What is wrong with a sesform command line, without running it: for checking the invocations in
 * pipeline files. Empty when the command would start.
 */
export function invocationProblems(argv: readonly string[]): string[] {
  try {
    return commandLineProblems(parseCommandLine(argv));
  } catch (error) {
    return [(error as Error).message];
  }
}

/** The numeric engine options, checked. */
function engineSelection(options: Options): { concurrency?: number; waves: number[]; shard?: Shard } {
  const concurrency =
    options.concurrency === undefined ? undefined : boundedInteger(options.concurrency, 1, MAX_CONCURRENCY);
  if (options.concurrency !== undefined && concurrency === undefined)
    throw new Error(`--concurrency ${options.concurrency}: expected a whole number from 1 to ${MAX_CONCURRENCY}.`);
  const waves = options.wave.map((wave) => {
    const value = boundedInteger(wave, 0, MAX_WAVE);
    if (value === undefined) throw new Error(`--wave ${wave}: expected a wave number from 0 to ${MAX_WAVE}.`);
    return value;
  });
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  return { concurrency, waves, shard };
}

/**
 * Commands that talk to AWS or Terraform are loaded when run, so that validate and synth stay fast.
 * `require`, not `import()`: the TypeScript hook of the CLI (tsx/cjs) compiles CommonJS requires only.
 */
function onDemand<T>(module: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as T;
}

/** The version in the project's package.json (two folders up from the source, and from a build). */
function packageVersion(): string {
  for (const dir of [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (parsed.name === 'sesform' && parsed.version) return parsed.version;
  }
  return 'unknown';
}

/** Runs one command; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  /** Asks rollout's per-wave question; default: on the terminal. */
  prompt?: (question: string) => Promise<boolean>,
): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    err.write(usage());
    return EXIT.error;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    out.write(usage());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    out.write(`sesform ${packageVersion()}\n`);
    return EXIT.ok;
  }
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    err.write(`sesform: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  if (line.options.help) {
    out.write(commandUsage(line.command));
    return EXIT.ok;
  }
  const problems = commandLineProblems(line);
  if (problems.length > 0) {
    err.write(problems.map((problem) => `sesform ${line.command}: ${problem}\n`).join(''));
    return EXIT.error;
  }
  const { options, args } = line;
  const engine = (name: EngineCommandName) => (options: Options, out: NodeJS.WritableStream) =>
    engineCommand(name, options, out, err, prompt);
  const commands: Record<CommandName, (options: Options, out: NodeJS.WritableStream) => number | Promise<number>> = {
    plan: engine('plan'),
    apply: engine('apply'),
    drift: engine('drift'),
    rollout: engine('rollout'),
    verify: (options, out) => verifyCommand(options, out, err),
    senders,
    report: (options, out) => reportCommand(args, options, out),
    unlock: unlockCommand,
    emulator: (options, out) => engineModule().emulatorCommand(out, { tls: options.tls }),
    validate,
    cost,
    synth,
    adopt: adoptCommand,
    'iam-policy': iamPolicyCommand,
    bootstrap: bootstrapCommand,
    export: exportCommand,
    doctor,
  };
  try {
    return await commands[line.command](options, out);
  } catch (error) {
    err.write(`sesform: ${(error as Error).message}\n`);
    return EXIT.error;
  }
}

/** Loads every environment, then keeps those named by `--env` (an unknown name is a problem). */
function loadSelected(options: Options): LoadResult & { every: Fleet } {
  const dir = environmentsDir(options.environments);
  const loaded = loadEnvironments(dir);
  const every = loaded.fleet;
  if (options.env.length === 0) return { ...loaded, every };
  const known = loaded.environments.map(({ environment }) => environment.name);
  const unknown: Problem[] = options.env
    .filter((name) => !known.includes(name))
    .map((name) => ({
      file: displayPath(dir),
      path: '',
      message: `--env ${name}: no valid environment has this name.${didYouMean(name, known)}`,
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
    locate: loaded.locate,
  };
}

/** The cost model's report of `fleet`, its warnings at their files, lines and columns. */
function locatedCost(fleet: Fleet, locate: LoadResult['locate']): CostReport {
  const report = costOf(fleet);
  return { ...report, warnings: locate(report.warnings) };
}

function environmentSummary({ file, environment }: LoadedEnvironment, stacks: readonly FleetStack[]) {
  const own = stacks.filter((stack) => stack.environment === environment);
  return {
    name: environment.name,
    file,
    accountId: environment.accountId,
    wave: environment.wave,
    protect: environment.protect,
    stacks: own.map((stack) => stack.name),
    configurationSets: environment.configurationSets.map((set) => set.name),
    // As SES holds them (dimension sets expanded), per region: the count cost and plans use.
    eventDestinations: (own[0]?.configurationSets ?? []).reduce((sum, set) => sum + set.destinations.length, 0),
    /** Alarms of each of its stacks (every region has the same). */
    alarmsPerStack: own[0]?.monitoring?.alarms.length ?? 0,
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

/** The selected environments' fleet with its cost, and the fleet of every valid environment of the folder. */
interface CheckedEnvironments {
  readonly environments: LoadedEnvironment[];
  readonly fleet: Fleet;
  readonly cost: CostReport;
  readonly every: Fleet;
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
  const { environments, fleet, problems, every, locate } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, refused);
  const cost = locatedCost(fleet, locate);
  if (cost.overBudget.length > 0)
    return reportProblems(cost.overBudget, out, options.json, `over budget, ${refused}`, {
      exit: EXIT.guardrail,
      warnings: cost.warnings,
    });
  return { environments, fleet, cost, every };
}

function doctor(options: Options, out: NodeJS.WritableStream): number {
  const { doctorChecks, doctorText } = onDemand<typeof import('./doctor')>('./doctor');
  const checks = doctorChecks();
  out.write(options.json ? `${JSON.stringify({ checks }, null, 2)}\n` : doctorText(checks));
  return checks.some((check) => check.status === 'fail') ? EXIT.error : EXIT.ok;
}

function validate(options: Options, out: NodeJS.WritableStream): number {
  const checked = checkedEnvironments(options, out, 'fix them and run again');
  if (typeof checked === 'number') return checked;
  const summaries = checked.environments.map((loaded) => environmentSummary(loaded, checked.fleet.stacks));
  const { warnings } = checked.cost;
  if (options.json)
    out.write(`${JSON.stringify({ ok: true, environments: summaries, problems: [], warnings }, null, 2)}\n`);
  else {
    for (const summary of summaries)
      out.write(
        `ok  ${summary.name.padEnd(12)} account ${summary.accountId}  wave ${summary.wave}  ${summary.configurationSets.length} set(s), ${summary.eventDestinations} destination(s)${summary.alarmsPerStack > 0 ? `, ${summary.alarmsPerStack} alarm(s)` : ''} per region  stacks: ${summary.stacks.join(', ')}\n`,
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
  const loaded = typeof checked === 'number' ? loadSelected(options) : undefined;
  const fleet = loaded?.fleet ?? (checked as CheckedEnvironments).fleet;
  const report = loaded ? locatedCost(loaded.fleet, loaded.locate) : (checked as CheckedEnvironments).cost;
  const view = costView(fleet, report);
  if (options.markdown !== undefined) fs.writeFileSync(options.markdown, costMarkdown(report, view.budgets));
  if (options.html !== undefined) {
    const { costReportHtml } = onDemand<typeof import('./report-html/html-report')>('./report-html/html-report');
    fs.writeFileSync(options.html, costReportHtml(view));
  }
  if (typeof checked === 'number') {
    if (!options.json) out.write(`\n${costText(report, view.budgets)}`);
    return checked;
  }
  out.write(options.json ? `${JSON.stringify({ ok: true, ...report }, null, 2)}\n` : costText(report, view.budgets));
  return EXIT.ok;
}

function synth(options: Options, out: NodeJS.WritableStream): number {
  const checked = checkedEnvironments(options, out, 'nothing was synthesized');
  if (typeof checked === 'number') return checked;
  const { fleet, cost: estimate } = checked;
  const outdir = path.resolve(options.output ?? cdktfOutputDir());
  const local = requestedLocalTarget(options);
  // cdktf and the provider classes load here, not for validate or cost.
  const { synthesize } = onDemand<typeof import('./app')>('./app');
  const { stacks } = synthesize(fleet, outdir, { removeOrphans: options.env.length === 0, local });
  const names = stacks.map((stack) => stack.node.id);
  const fingerprint = fleetFingerprint(outdir, names);
  if (options.json)
    out.write(
      `${JSON.stringify({ ok: true, outdir: displayPath(outdir), stacks: names, fingerprint, problems: [], warnings: estimate.warnings }, null, 2)}\n`,
    );
  else {
    printWarnings(estimate.warnings, out);
    out.write(`Synthesized ${names.length} stack(s) to ${displayPath(outdir)}: ${names.join(', ')}\n`);
    out.write(`Configuration fingerprint (roles aside; the key of a review's plans): ${fingerprint}\n`);
  }
  return EXIT.ok;
}

async function adoptCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  if (options.env.length === 0) throw new Error('adopt needs --env NAME: the environment whose account to adopt.');
  const { fleet, problems } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was adopted');
  const local = requestedLocalTarget(options);
  const { adopt, describeAdoption } = onDemand<typeof import('./adoption/adopt')>('./adoption/adopt');
  const results = await adopt(fleet.stacks, local);
  if (options.json) out.write(`${JSON.stringify({ ok: true, adoptions: results }, null, 2)}\n`);
  else for (const result of results) out.write(`${describeAdoption(result).join('\n')}\n`);
  return EXIT.ok;
}

/** The stacks of the environments named by --env (at least one), or the exit code after reporting why not. */
function namedStacks(options: Options, out: NodeJS.WritableStream, command: string): readonly FleetStack[] | number {
  if (options.env.length === 0) throw new Error(`${command} needs --env NAME.`);
  const { fleet, problems } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was done');
  return fleet.stacks;
}

async function iamPolicyCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  if (options.env.length === 0) throw new Error('iam-policy needs --env NAME.');
  const { fleet, every, problems } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was done');
  const { iamRoles } = onDemand<typeof import('./bootstrap/iam-roles')>('./bootstrap/iam-roles');
  out.write(`${JSON.stringify({ roles: iamRoles(fleet.stacks, every.stacks) }, null, 2)}\n`);
  return EXIT.ok;
}

async function bootstrapCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  const stacks = namedStacks(options, out, 'bootstrap');
  if (typeof stacks === 'number') return stacks;
  const { bootstrap } = onDemand<typeof import('./bootstrap/bootstrap')>('./bootstrap/bootstrap');
  return bootstrap({
    stacks,
    adminRoleArn: options['admin-role'],
    local: requestedLocalTarget(options),
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
    local: requestedLocalTarget(options),
  });
  if (options.json) out.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
  else {
    out.write(
      `Exported ${result.configurationSets} configuration set(s) and ${result.eventDestinations} destination(s) to ${displayPath(result.file)}; imports in ${displayPath(result.manifest)}.\n`,
    );
    for (const skipped of result.skipped)
      out.write(`  skipped ${skipped}: not a CloudWatch destination, which sesform does not manage\n`);
    for (const name of result.alarms.imported) out.write(`  alarm ${name}: imported\n`);
    for (const name of result.alarms.replaced)
      out.write(
        `  alarm ${name}: its threshold is in the file; sesform creates its own alarm beside it, so delete ${name} after the first rollout\n`,
      );
    for (const name of result.alarms.leftAlone)
      out.write(`  alarm ${name}: on SES metrics but not a reputation alarm of an exported set; left alone\n`);
  }
  return EXIT.ok;
}

const engineModule = () => onDemand<typeof import('./engine/commands')>('./engine/commands');

/** Decimal digits only (no 1e9, 0x10, 1.0) within the bounds: numbers that cannot stall a run. */
function boundedInteger(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

export const MAX_CONCURRENCY = 256;
export const MAX_WAVE = 1000;

/** plan, apply, drift, rollout: the selection checked (validation, budgets) before any engine work. */
async function engineCommand(
  command: EngineCommandName,
  options: Options,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  prompt?: (question: string) => Promise<boolean>,
): Promise<number> {
  const selection = engineSelection(options);
  const concurrency = selection.concurrency ?? defaultConcurrency();
  // Drift is read-only: a budget must not hide it, so only invalid input stops it.
  const checked =
    command === 'drift' ? readableEnvironments(options, out) : checkedEnvironments(options, out, 'nothing was run');
  if (typeof checked === 'number') return checked;
  const fleet = options['read-only'] ? readOnlyFleet(checked.fleet, selection.waves) : checked.fleet;
  if (Array.isArray(fleet)) return reportProblems(fleet, out, options.json, 'nothing was run');
  const withoutSender = options.verify && !options.local ? sendersMissing(checked.fleet) : [];
  if (withoutSender.length > 0) return reportProblems(withoutSender, out, options.json, 'nothing was run');
  if (!options.json) printWarnings(checked.cost.warnings, err);
  return engineModule().runEngineCommand({
    command,
    fleet,
    readOnly: options['read-only'],
    verify: options.verify,
    everyStack: checked.every.stacks,
    local: options.local,
    endpoint: options.endpoint,
    output: options.output,
    plans: plansOutsideEnvironments(options),
    reviewed: options.reviewed,
    concurrency,
    waves: selection.waves,
    shard: selection.shard,
    json: options.json,
    markdown: options.markdown,
    html: options.html,
    allowDestroy: options['allow-destroy'],
    autoApprove: options['auto-approve'],
    prompt,
    defaultOutput: cdktfOutputDir(),
    out,
    err,
  });
}

/**
 * The fleet as --read-only runs it, each stack assuming its plan role; or, when an environment of
 * the selected waves declares none, the problems that say so (nothing runs with the deploy role).
 */
function readOnlyFleet(fleet: Fleet, waves: readonly number[] | undefined): Fleet | Problem[] {
  const stacks = selectStacks(fleet.stacks, { waves });
  const problems: Problem[] = [];
  for (const stack of stacks)
    if (stack.planRole === undefined && !problems.some((problem) => problem.file === stack.file))
      problems.push({
        file: stack.file,
        path: 'planRole',
        message: `--read-only plans through each environment's plan role, and environment "${stack.environment.name}" declares none: add planRole (arn, trustedPrincipal) and create it with sesform bootstrap, or run without --read-only.`,
      });
  if (problems.length > 0) return problems;
  return { environments: fleet.environments, stacks: stacks.map((stack) => withPlanRole(stack)!) };
}

export const MAX_VERIFY_TIMEOUT_SECONDS = 3600;

/** verify: the selected stacks (waves, shard), each with a sender identity, then the verification run. */
async function verifyCommand(options: Options, out: NodeJS.WritableStream, err: NodeJS.WritableStream) {
  const selection = engineSelection(options);
  const timeout =
    options.timeout === undefined ? undefined : boundedInteger(options.timeout, 1, MAX_VERIFY_TIMEOUT_SECONDS);
  if (options.timeout !== undefined && timeout === undefined)
    throw new Error(`--timeout ${options.timeout}: expected whole seconds from 1 to ${MAX_VERIFY_TIMEOUT_SECONDS}.`);
  const checked = readableEnvironments(options, out);
  if (typeof checked === 'number') return checked;
  const mode = localEndpoint(options);
  const problems = mode.local ? [] : sendersMissing(checked.fleet);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was sent');
  const { runVerify } = onDemand<typeof import('./verify/verify-command')>('./verify/verify-command');
  return runVerify({
    stacks: selectStacks(checked.fleet.stacks, selection),
    endpoint: mode.local ? (mode.endpoint ?? null) : undefined,
    probe: options.probe,
    timeoutSeconds: timeout,
    concurrency: selection.concurrency ?? defaultConcurrency(),
    json: options.json,
    markdown: options.markdown,
    html: options.html,
    out,
    err,
  });
}

/** senders: the sender contract of one environment's sets (the same in each of its regions). */
function senders(options: Options, out: NodeJS.WritableStream): number {
  if (options.env.length !== 1)
    throw new Error('senders needs one --env NAME: the environment whose sets to describe.');
  const { SENDER_FORMATS, renderContracts, senderContract } =
    onDemand<typeof import('./verify/sender-contract')>('./verify/sender-contract');
  const format = options.format ?? 'api';
  if (!(SENDER_FORMATS as readonly string[]).includes(format))
    throw new Error(
      `--format ${format}: expected one of ${SENDER_FORMATS.join(', ')}.${didYouMean(format, SENDER_FORMATS)}`,
    );
  const stacks = namedStacks(options, out, 'senders');
  if (typeof stacks === 'number') return stacks;
  const sets = stacks[0].configurationSets;
  const chosen = options.set === undefined ? sets : sets.filter((set) => set.name === options.set);
  if (chosen.length === 0) {
    const names = sets.map((set) => set.name);
    throw new Error(
      `--set ${options.set}: environment ${options.env[0]} has no such set (${names.join(', ') || 'none'}).${didYouMean(options.set!, names)}`,
    );
  }
  out.write(renderContracts(chosen.map(senderContract), format as (typeof SENDER_FORMATS)[number]));
  return EXIT.ok;
}

/** On AWS, verify sends from each environment's verify.from: the environments that declare none. */
function sendersMissing(fleet: Fleet): Problem[] {
  return fleet.environments
    .filter(({ environment }) => environment.verify === undefined)
    .map(({ file, environment }) => ({
      file,
      path: 'verify.from',
      message: `verify on AWS sends its test messages from a verified SES identity, and environment "${environment.name}" declares none: add verify.from (an address or domain verified in each of its regions).`,
    }));
}

/** The selected environments, or the exit code after reporting invalid input. */
function readableEnvironments(options: Options, out: NodeJS.WritableStream): CheckedEnvironments | number {
  const { environments, fleet, problems, every, locate } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, 'nothing was run');
  return { environments, fleet, cost: locatedCost(fleet, locate), every };
}

function reportCommand(files: readonly string[], options: Options, out: NodeJS.WritableStream): number {
  return engineModule().reportCommand(files, {
    json: options.json,
    markdown: options.markdown,
    html: options.html,
    out,
  });
}

/** A stack name as sesform makes them (`<env>-<region>`): never a path. */
const STACK_NAME = /^[a-z][a-z0-9-]{0,127}$/;

function unlockCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  if (options.stack !== undefined && !STACK_NAME.test(options.stack))
    throw new Error(`--stack ${options.stack}: not a stack name (such as prod-eu-west-1).`);
  return engineModule().unlockCommand({
    stack: options.stack,
    lockId: options['lock-id'],
    local: options.local,
    output: options.output,
    defaultOutput: cdktfOutputDir(),
    out,
  });
}

/** --plans, refused inside the environments folder, where plan records would be read as environment files. */
function plansOutsideEnvironments(options: Options): string | undefined {
  if (options.plans === undefined) return undefined;
  const environments = environmentsDir(options.environments);
  const relative = path.relative(environments, path.resolve(options.plans));
  if (!relative.startsWith('..') && !path.isAbsolute(relative))
    throw new Error(
      `--plans ${options.plans} is inside the environments folder ${displayPath(environments)}: its plan records would be read as environment files. Choose another folder.`,
    );
  return options.plans;
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
