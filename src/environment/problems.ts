import * as path from 'node:path';

/** One problem in the environments, located as precisely as the file type allows. */
export interface Problem {
  /** The environment file the problem belongs to, relative to the working directory. */
  readonly file: string;
  /** The field in the environment, as `configurationSets[1].eventDestinations[0].name`; empty for the file as a whole. */
  readonly path: string;
  /** The rule broken, with a suggestion where one exists. */
  readonly message: string;
  /** Where the offending value was written, when it came from a base file through `extends`. */
  readonly valueFrom?: string;
  /** 1-based line and column of the value in `file` (or in `valueFrom` when set), for YAML and JSON files. */
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
  if (problem.valueFrom === undefined) return `${problem.file}${position}:${where} ${problem.message}`;
  return `${problem.file}:${where} ${problem.message} (value from ${problem.valueFrom}${position})`;
}
