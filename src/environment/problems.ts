import { terminalLine } from '../format';
import * as path from 'node:path';

/** One problem in the environments, located as precisely as the file type allows. */
export interface Problem {
  /** The environment file the problem belongs to, relative to the working directory. */
  readonly file: string;
  /** The field in the environment, as `configurationSets[1].eventDestinations[0].name`; empty for the file as a whole. */
  readonly path: string;
  /** The rule broken, with a suggestion where one exists. */
  readonly message: string;
  /**
   * For a value written in a base file (`file`): the environment files that extend it and so have the
   * problem. Reported once for all of them.
   */
  readonly inheritedBy?: readonly string[];
  /** The field as keys and indexes, for the loader to locate (a warning); absent once located. */
  readonly field?: readonly (string | number)[];
  /** 1-based line and column of the value in `file`, for YAML and JSON files. */
  readonly line?: number;
  readonly column?: number;
}

/** A path as shown to users: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** `file:line:column: path: message`, the shape editors and CI annotations understand. */
export function formatProblem(problem: Problem): string {
  const position = problem.line === undefined ? '' : `:${problem.line}:${problem.column}`;
  const where = problem.path === '' ? '' : ` ${problem.path}:`;
  const inherited = problem.inheritedBy ? ` (inherited by ${problem.inheritedBy.join(', ')})` : '';
  // A file name or a quoted value may hold control characters: shown, never sent to the terminal.
  return terminalLine(`${problem.file}${position}:${where} ${problem.message}${inherited}`);
}
