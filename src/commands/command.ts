/**
 * What a command is (its options, help and handler, in one module under src/commands/) and the one
 * way a command says it cannot go on: it throws a CommandRefusal (problems in the files, exit 1; a
 * guardrail, exit 3) or a plain Error (a usage error, exit 1), which the dispatcher reports.
 */
import { EXIT } from '../exit-codes';
import type { Problem } from '../environment/problems';
import type { OptionName, Options } from './options';

export interface CommandContext {
  readonly options: Options;
  readonly args: readonly string[];
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  /** Asks rollout's per-wave question; default: on the terminal. */
  readonly prompt?: (question: string) => Promise<boolean>;
}

export interface Command {
  readonly name: string;
  /** One line for `sesform --help`, and the first line of the command's own help. */
  readonly summary: string;
  readonly options: readonly OptionName[];
  /** Positional arguments, for usage text; commands without it take none. */
  readonly args?: string;
  /** The checks that need no files (selection, numbers), each a sentence; empty when it may start. */
  readonly check?: (line: { readonly args: readonly string[]; readonly options: Options }) => string[];
  /** Resolves to the exit code. */
  readonly run: (context: CommandContext) => number | Promise<number>;
}

/** Problems that stop a command before it does anything, located in the files, with their exit code. */
export class CommandRefusal extends Error {
  constructor(
    readonly problems: readonly Problem[],
    /** What did not happen, for the closing line: "nothing was synthesized". */
    readonly consequence: string,
    readonly exitCode: number = EXIT.error,
    readonly warnings: readonly Problem[] = [],
  ) {
    super(`${problems.length} problem(s); ${consequence}`);
  }
}
