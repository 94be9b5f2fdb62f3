/**
 * `sesform`: validate environment files, estimate their metric cost, synthesize their stacks, and
 * plan, apply, check drift and roll out with real Terraform (on AWS, or on the embedded emulator).
 * This file only dispatches: each command (its options, help and handler) is a module of
 * src/commands/, every option is in src/commands/options.ts, and a command that cannot go on throws
 * a CommandRefusal or an Error, reported here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { didYouMean } from '../modules/did-you-mean';
import { Command, CommandRefusal } from './commands/command';
import { printRefusal } from './commands/environments';
import { COMMANDS, commandNamed } from './commands/index';
import { OPTION_SPECS, OptionName, Options, optionLine, withDefaults } from './commands/options';
import { EXIT } from './exit-codes';

const EXIT_CODES = `Exit codes: 0 success, nothing to change; 1 error or invalid input; 2 changes or drift present
(plan, drift), or changes left unapplied; 3 refused by a guardrail (budget, destroy protection,
a plan that is not the reviewed one).
`;

/** The options a command takes (`--help` aside), from its table; empty for an unknown command. */
export function commandOptions(command: string): readonly string[] {
  return commandNamed(command)?.options ?? [];
}

/** `sesform --help`: every command. */
export function usage(): string {
  const commands = COMMANDS.map((command) => `  ${command.name.padEnd(11)}${command.summary}`);
  return `Usage: sesform <command> [options]    (sesform <command> --help for its options; sesform --version)\n\nCommands:\n${commands.join('\n')}\n\n${EXIT_CODES}`;
}

/** `sesform <command> --help`: the command's own options, from the same table the parser uses. */
export function commandUsage(command: Command): string {
  const options = [...command.options, 'help' as const].map(optionLine);
  return `Usage: sesform ${command.name}${command.args ? ` ${command.args}` : ''} [options]\n\n${command.summary}\n\nOptions:\n${options.join('\n')}\n\n${EXIT_CODES}`;
}

interface CommandLine {
  readonly command: Command;
  readonly args: string[];
  readonly options: Options;
}

/** Parses a command line against its command's own options; throws with the option and the command named. */
function parseCommandLine(argv: readonly string[]): CommandLine {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('-'))
    throw new Error('the command comes first: sesform <command> [options].');
  const command = commandNamed(name);
  const names = COMMANDS.map((each) => each.name);
  if (command === undefined) throw new Error(`unknown command "${name}".${didYouMean(name, names)}`);
  const allowed = new Set<string>([...command.options, 'help']);
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
        `${token.rawName} is not an option of ${name}.${known ? '' : didYouMean(token.name, [...allowed])} Options of ${name}: ${[...allowed].map((option) => `--${option}`).join(', ')}.`,
      );
    }
  const own = Object.fromEntries([...allowed].map((option) => [option, OPTION_SPECS[option as OptionName]]));
  const parsed = parseArgs({ args: rest, options: own, allowPositionals: true, strict: true });
  if (parsed.positionals.length > 0 && command.args === undefined)
    throw new Error(`${name} takes no arguments; unexpected "${parsed.positionals[0]}".`);
  return { command, args: parsed.positionals, options: withDefaults(parsed.values) };
}

/**
 * What is wrong with a sesform command line, without running it: for checking the invocations in
 * pipeline files. Empty when the command would start.
 */
export function invocationProblems(argv: readonly string[]): string[] {
  try {
    const line = parseCommandLine(argv);
    return line.command.check?.(line) ?? [];
  } catch (error) {
    return [(error as Error).message];
  }
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
  const { command, options, args } = line;
  if (options.help) {
    out.write(commandUsage(command));
    return EXIT.ok;
  }
  const problems = command.check?.(line) ?? [];
  if (problems.length > 0) {
    err.write(problems.map((problem) => `sesform ${command.name}: ${problem}\n`).join(''));
    return EXIT.error;
  }
  try {
    return await command.run({ options, args, out, err, prompt });
  } catch (error) {
    if (error instanceof CommandRefusal) {
      printRefusal(error, out, options.json);
      return error.exitCode;
    }
    err.write(`sesform: ${(error as Error).message}\n`);
    return EXIT.error;
  }
}
