/**
 * Reads one environment or base file (YAML, JSON or TypeScript) and locates paths inside it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';
import { Path } from './layers';
import type { TypeScriptResult } from './typescript-child';
import { yamlProblem } from './yaml-errors';

export const ENVIRONMENT_FILE_EXTENSIONS = ['.ts', '.yaml', '.yml', '.json'] as const;

/**
 * The largest environment or base file: room for SES's quotas in one file (10,000 sets x 10
 * destinations is about 20 MB of YAML), far below what could exhaust memory (/dev/zero, a runaway file).
 */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_FILE_SIZE_TEXT = '32 MiB';

/** How many aliases a YAML file may expand (an alias bomb expands to billions). */
const MAX_YAML_ALIASES = 100;

/** A parsed file: its content, or why it has none. */
export interface SourceFile {
  readonly file: string;
  readonly content?: Record<string, unknown>;
  readonly error?: { readonly message: string; readonly line?: number; readonly column?: number };
  /**
   * 1-based line and column of what is at `path`, as near as the file has it: a field's value when it
   * is a plain value (what a rule about the value points at), else its key; `'key'` always the key
   * (an unknown field is its key).
   */
  locate(path: Path, target?: 'key' | 'value'): { line: number; column: number } | undefined;
}

const noLocation = () => undefined;

export function readSourceFile(file: string): SourceFile {
  const failed = (message: string): SourceFile => ({ file, error: { message }, locate: noLocation });
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return failed('not a regular file.');
    if (stat.size > MAX_FILE_BYTES)
      return failed(`the file is larger than ${MAX_FILE_SIZE_TEXT}, the limit for an environment file.`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    return failed(`cannot read the file: ${(error as Error).message}`);
  }
  const invalid = firstInvalidUtf8Byte(bytes);
  if (invalid !== undefined)
    return failed(
      `the file is not UTF-8 text: byte ${invalid} (0x${bytes[invalid].toString(16)}) is not valid UTF-8; save it as UTF-8.`,
    );
  const extension = path.extname(file);
  if (extension === '.ts') return readTypeScript(file);
  // A byte-order mark is allowed alike in YAML and JSON.
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return extension === '.json' ? readJson(file, text) : readYaml(file, text);
}

/** The offset of the first byte that is not part of valid UTF-8, or undefined when all is valid. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number | undefined {
  for (let index = 0; index < bytes.length;) {
    const byte = bytes[index];
    const length =
      byte < 0x80
        ? 1
        : byte >= 0xc2 && byte < 0xe0
          ? 2
          : byte >= 0xe0 && byte < 0xf0
            ? 3
            : byte >= 0xf0 && byte < 0xf5
              ? 4
              : 0;
    if (length === 0 || index + length > bytes.length) return index;
    for (let next = 1; next < length; next++) if ((bytes[index + next] & 0xc0) !== 0x80) return index;
    // Overlong forms, surrogates and code points past U+10FFFF.
    const second = bytes[index + 1];
    if (
      (byte === 0xe0 && second < 0xa0) ||
      (byte === 0xed && second >= 0xa0) ||
      (byte === 0xf0 && second < 0x90) ||
      (byte === 0xf4 && second >= 0x90)
    )
      return index;
    index += length;
  }
  return undefined;
}

function contentOrError(file: string, value: unknown, locate: SourceFile['locate']): SourceFile {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return { file, content: value as Record<string, unknown>, locate };
  return { file, error: { message: 'the file must hold one object with the environment fields.' }, locate };
}

function readYaml(file: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (at: Path, target: 'key' | 'value' = 'value') => locateInDocument(document, lineCounter, at, target);
  if (document.errors.length > 0) return { file, error: yamlProblem(text, document.errors, lineCounter), locate };
  try {
    return contentOrError(file, document.toJS({ maxAliasCount: MAX_YAML_ALIASES }), locate);
  } catch (error) {
    // An alias bomb: refused with the file named, the other files still read.
    return { file, error: { message: `malformed YAML: ${(error as Error).message}` }, locate };
  }
}

function readJson(file: string, text: string): SourceFile {
  try {
    const value: unknown = JSON.parse(text);
    // JSON.parse keeps the last of duplicate keys silently; the YAML parser refuses them and gives positions.
    const located = readYaml(file, text);
    if (located.error !== undefined)
      return { ...located, error: { ...located.error, message: located.error.message.replace('YAML', 'JSON') } };
    return contentOrError(file, value, located.locate);
  } catch (error) {
    // Node 22 and later append "(line 1 column 16)": the problem's position says that already.
    const message = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, '');
    const offset = /position (\d+)/.exec(message)?.[1];
    const position = offset === undefined ? undefined : lineAndColumn(text, Number(offset));
    return { file, error: { message: `malformed JSON: ${message}`, ...position }, locate: noLocation };
  }
}

/** How long a TypeScript environment file may take to load (compile and run) before it is stopped. */
export const TYPESCRIPT_LOAD_TIMEOUT_MS = 15_000;

/**
 * A TypeScript environment file, loaded in a node process of its own (typescript-child.ts), with a
 * time limit: its output cannot reach sesform's, it cannot end sesform's process, and an endless loop
 * in it is an error naming the file. What it prints goes to stderr, marked with the file's name.
 */
function readTypeScript(file: string): SourceFile {
  const failed = (message: string, position: { line?: number; column?: number } = {}): SourceFile => ({
    file,
    error: { message: `cannot load the TypeScript file: ${message}`, ...position },
    locate: noLocation,
  });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-ts-'));
  const resultFile = path.join(scratch, 'result.json');
  try {
    const child = path.join(__dirname, `typescript-child${path.extname(__filename)}`);
    // From the sources (tsx, ts-jest) the child is TypeScript too: tsx compiles it.
    const hook = path.extname(__filename) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];
    const run = spawnSync(process.execPath, [...hook, child, file, resultFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TYPESCRIPT_LOAD_TIMEOUT_MS,
      maxBuffer: 1024 * 1024,
    });
    const printed = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
    if (printed !== '')
      process.stderr.write(
        `${printed
          .split('\n')
          .map((line) => `${path.basename(file)}: ${line}`)
          .join('\n')}\n`,
      );
    if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
      return failed(
        `it did not finish loading within ${TYPESCRIPT_LOAD_TIMEOUT_MS / 1000} s (an endless loop, or a wait on something that never comes) and was stopped.`,
      );
    if (!fs.existsSync(resultFile))
      return failed(
        `its process ended (${run.signal ?? `exit code ${run.status}`}) before it exported its environment.`,
      );
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as TypeScriptResult;
    if (result.error) {
      const { message, ...position } = result.error;
      return failed(message, position);
    }
    if (result.noDefault)
      return {
        file,
        error: { message: 'a TypeScript environment must `export default defineEnvironment({...})`.' },
        locate: noLocation,
      };
    return contentOrError(file, result.value, noLocation);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function locateInDocument(document: Document, lineCounter: LineCounter, at: Path, target: 'key' | 'value') {
  let node: unknown = document.contents;
  let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (const [index, part] of at.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item: Pair) => isScalar(item.key) && String(item.key.value) === String(part));
      if (pair === undefined) break;
      const last = index === at.length - 1;
      offset =
        (last && target === 'value' && isScalar(pair.value) ? pair.value.range?.[0] : undefined) ??
        (pair.key as YamlNode).range?.[0] ??
        offset;
      next = pair.value;
    } else if (isSeq(node) && typeof part === 'number' && part < node.items.length) {
      next = node.items[part];
      offset = (next as YamlNode).range?.[0] ?? offset;
    } else break;
    node = next;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
