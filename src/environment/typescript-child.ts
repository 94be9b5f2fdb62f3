/**
 * Runs in a process of its own (see readTypeScript in source-file.ts): loads one TypeScript
 * environment file and writes what it exports, as JSON, to the result file named on its command line.
 * Whatever the file does stays in this process: what it prints never reaches sesform's output, a
 * process.exit in it is reported, a timer it leaves cannot end sesform, and sesform stops this
 * process when it takes too long.
 *   node typescript-child.js <environment.ts> <result.json>
 */
import * as fs from 'node:fs';

export interface TypeScriptResult {
  readonly value?: unknown;
  readonly noDefault?: true;
  readonly error?: { readonly message: string; readonly line?: number; readonly column?: number };
}

/** Thrown in place of process.exit while the file loads. */
class ExitCalled extends Error {
  constructor(code: unknown) {
    super(
      `it called process.exit(${code === undefined ? '' : String(code)}); an environment file must only export its environment.`,
    );
  }
}

/**
 * A TypeScript file's compile error as file position and message: esbuild (tsx) gives
 * `errors[0].location`, or only its text form "file:line:column: ERROR: text".
 */
export function compileError(error: unknown): { message: string; line?: number; column?: number } {
  const [first] = (error as { errors?: { text?: string; location?: { line: number; column: number } }[] }).errors ?? [];
  if (first?.text !== undefined)
    return {
      message: first.text,
      ...(first.location && { line: first.location.line, column: first.location.column + 1 }),
    };
  // eslint-disable-next-line no-control-regex
  const text = String((error as Error).message ?? error).replace(/\x1b\[[0-9;]*m/g, '');
  // esbuild's text form, the column counted from 0.
  const esbuild = /:(\d+):(\d+): ERROR: (.*)/.exec(text);
  if (esbuild) return { message: esbuild[3], line: Number(esbuild[1]), column: Number(esbuild[2]) + 1 };
  return { message: text.split('\n')[0] };
}

function load(file: string): TypeScriptResult {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (require.extensions?.['.ts'] === undefined) (require('tsx/cjs/api') as { register: () => unknown }).register();
  const exit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new ExitCalled(code);
  }) as typeof process.exit;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(file) as { default?: unknown };
    if (loaded.default === undefined) return { noDefault: true };
    return { value: loaded.default };
  } catch (error) {
    return { error: error instanceof ExitCalled ? { message: error.message } : compileError(error) };
  } finally {
    process.exit = exit;
  }
}

if (require.main === module) {
  const [file, resultFile] = process.argv.slice(2);
  let rejected: unknown;
  process.on('unhandledRejection', (reason) => (rejected ??= reason));
  const result = load(file);
  // A promise the file rejected without handling surfaces once the current tick's work is done.
  setImmediate(() => {
    const reason = rejected instanceof Error ? rejected.message : String(rejected);
    const written =
      rejected === undefined
        ? result
        : { error: { message: `a promise it made was rejected and never handled: ${reason}` } };
    fs.writeFileSync(resultFile, JSON.stringify(written));
    // Done: whatever the file left running (timers, sockets) ends with this process.
    process.exit(0);
  });
}
