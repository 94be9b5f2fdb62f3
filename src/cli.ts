/**
 * `sesform`: validate environment files, estimate their metric cost, synthesize their stacks, and
 * rehearse the rollout on the embedded emulator (later: plan, apply, drift).
 * Exit codes: 0 success, 1 invalid input or error, 2 changes planned but not applied (bootstrap),
 * 3 refused by a guardrail (a budget).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { didYouMean } from '../modules/did-you-mean';
import { localTargetFromEnvironment, synthesize } from './app';
import { CostReport, costOf } from './cost/cost-model';
import { costMarkdown, costText } from './cost/cost-report';
import { LoadResult, LoadedEnvironment, environmentsDir, loadEnvironments } from './environment/loader';
import { Problem, displayPath, formatProblem } from './environment/problems';
import { stackName } from './environment/stack-naming';
import { LOCAL_ENDPOINT_ENV, localTarget } from './local/local-target';
import { localProviderVersion } from './terraform/terraform';

export const EXIT = { ok: 0, error: 1, guardrail: 3 } as const;

const USAGE = `Usage: sesform <command> [options]

Commands:
  validate   check every environment file and print every problem (and the cost warnings)
  cost       metrics and monthly CloudWatch cost per environment and region
  synth      validate, then write the stacks to cdktf.out as \`cdktf synth\` does
  adopt      import the account's existing sets and destinations that --env declares
  export     write an environment file from what an account already holds (--name, --role, --region)
  iam-policy the least-privilege policy of --env's deploy role, as JSON, for review
  bootstrap  create --env's account's state bucket and deploy role (plan; --auto-approve applies)
  rehearse   the whole rollout on the embedded emulator with real Terraform: init, plan,
             apply wave by wave, show what was created, plan again (\`npm start\`)

Options:
  --env NAME            only this environment (repeatable); default: all
  --environments DIR    the environment files' folder (default: $SESFORM_ENVIRONMENTS or ./environments)
  --output DIR          synth output folder (default: cdktf.json's "output", else cdktf.out)
  --json                machine-readable output on stdout
  --markdown FILE       cost: also write the report as Markdown (for a pull-request comment)
  --name, --role ARN, --region R, --external-id ID, --state-bucket B, --state-key-prefix P,
  --state-region R      export: the new environment's fields (or --env NAME to take them from one)
  --admin-role ARN      bootstrap: assume this role for the admin work (default: ambient credentials)
  --auto-approve        bootstrap: apply the plan
  --local               synth, adopt, export, bootstrap: retarget the stacks at the emulator given by --endpoint
  --endpoint URL        the emulator's loopback address (default: $${LOCAL_ENDPOINT_ENV})
  -h, --help            this text
`;

interface Options {
  readonly env: string[];
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

/** Runs one command; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        env: { type: 'string', multiple: true, default: [] },
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
      },
    });
  } catch (error) {
    err.write(`sesform: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.error;
  }
  const [command, ...extra] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    (command === undefined && !parsed.values.help ? err : out).write(USAGE);
    return command === undefined && !parsed.values.help ? EXIT.error : EXIT.ok;
  }
  if (extra.length > 0) {
    err.write(`sesform: unexpected argument "${extra[0]}"\n`);
    return EXIT.error;
  }
  const options: Options = parsed.values as Options;
  const commands: Record<string, (options: Options, out: NodeJS.WritableStream) => number | Promise<number>> = {
    validate,
    cost,
    synth,
    rehearse: rehearseCommand,
    adopt: adoptCommand,
    'iam-policy': iamPolicyCommand,
    bootstrap: bootstrapCommand,
    export: exportCommand,
  };
  const run = commands[command];
  if (run === undefined) {
    err.write(`sesform: unknown command "${command}".${didYouMean(command, Object.keys(commands))}\n\n${USAGE}`);
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
function loadSelected(options: Options): LoadResult {
  const dir = environmentsDir(options.environments);
  const loaded = loadEnvironments(dir);
  if (options.env.length === 0) return loaded;
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

/**
 * The selected environments with their cost, or the exit code after reporting why not: invalid
 * input (1), or a budget exceeded (3, the guardrail), in which case nothing may be synthesized or run.
 */
function checkedEnvironments(
  options: Options,
  out: NodeJS.WritableStream,
  refused: string,
): { environments: LoadedEnvironment[]; cost: CostReport } | number {
  const { environments, problems } = loadSelected(options);
  if (problems.length > 0) return reportProblems(problems, out, options.json, refused);
  const cost = costOf(environments);
  if (cost.overBudget.length > 0)
    return reportProblems(cost.overBudget, out, options.json, `over budget, ${refused}`, {
      exit: EXIT.guardrail,
      warnings: cost.warnings,
    });
  return { environments, cost };
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

async function rehearseCommand(options: Options, out: NodeJS.WritableStream): Promise<number> {
  const checked = checkedEnvironments(options, out, 'nothing was run');
  if (typeof checked === 'number') return checked;
  printWarnings(checked.cost.warnings, out);
  const { rehearse } = onDemand<typeof import('./local/rehearsal')>('./local/rehearsal');
  return rehearse({ environments: checked.environments, out });
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
