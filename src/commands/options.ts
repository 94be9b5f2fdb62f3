/**
 * Every option of every command, in one table: the parser, the typed options each handler reads,
 * the defaults and the usage text all come from it.
 */
import { SESFORM_VARIABLES } from '../config';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** The value's placeholder in usage text. */
  readonly value?: string;
  readonly help: string;
}

export const OPTION_SPECS = {
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
  'print-env': {
    type: 'boolean',
    help: "emulator: print the shell variables that reach --env's account in the running emulator (AWS CLI, boto3)",
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

export type OptionName = keyof typeof OPTION_SPECS;

/** An option's parsed value, from its spec: a flag, a list (repeatable) or one optional string. */
type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { multiple: true }
    ? readonly string[]
    : string | undefined;

/** Every option's value after parsing; an option a command does not take keeps its default. */
export type Options = { readonly [K in OptionName]: ValueOf<(typeof OPTION_SPECS)[K]> };

/** Options absent from the command line: false, an empty list, or undefined. */
function defaultOf(spec: OptionSpec): boolean | string[] | undefined {
  if (spec.type === 'boolean') return false;
  return spec.multiple ? [] : undefined;
}

/** The parser's values over every option's default. */
export function withDefaults(values: Readonly<Record<string, unknown>>): Options {
  const options: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [OptionName, OptionSpec][])
    options[name] = Object.hasOwn(values, name) ? values[name] : defaultOf(spec);
  return options as Options;
}

/** `--name VALUE` and its help, a line of usage text. */
export function optionLine(name: OptionName): string {
  const spec: OptionSpec = OPTION_SPECS[name];
  const flag = `--${name}${spec.value ? ` ${spec.value}` : ''}`;
  return `  ${flag.padEnd(24)}${spec.help}`;
}

export const SELECTION: readonly OptionName[] = ['env', 'environments'];
/** The selection and reporting options of every command that works on stacks. */
export const STACKS: readonly OptionName[] = [
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
export const ENGINE: readonly OptionName[] = [...STACKS, 'output'];
