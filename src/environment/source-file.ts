/**
 * Reads one environment or base file (YAML, JSON or TypeScript) and locates paths inside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';
import { Path } from './layers';

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
  /** 1-based line and column of the value (or the key, for a field) at `path`, as near as the file has it. */
  locate(path: Path): { line: number; column: number } | undefined;
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
  const locate = (at: Path) => locateInDocument(document, lineCounter, at);
  if (document.errors.length > 0) {
    const [first] = document.errors;
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const message = `malformed YAML: ${first.message.split('\n')[0]}`;
    return { file, error: { message, line, column: col }, locate };
  }
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

/** Thrown in place of process.exit while a TypeScript environment loads. */
class ExitCalled extends Error {
  constructor(code: unknown) {
    super(
      `it called process.exit(${code === undefined ? '' : String(code)}); an environment file must only export its environment.`,
    );
  }
}

/**
 * A TypeScript file's compile error as file position and message: esbuild (tsx, the CLI) gives
 * `errors[0].location`, or only its text form; TypeScript (ts-jest) writes "file:line:column - error
 * TSnnnn: text".
 */
function compileError(error: unknown): { message: string; line?: number; column?: number } {
  const [first] = (error as { errors?: { text?: string; location?: { line: number; column: number } }[] }).errors ?? [];
  if (first?.text !== undefined)
    return {
      message: first.text,
      ...(first.location && { line: first.location.line, column: first.location.column + 1 }),
    };
  // eslint-disable-next-line no-control-regex
  const text = String((error as Error).message ?? error).replace(/\x1b\[[0-9;]*m/g, '');
  // esbuild's text form (tsx rethrows it so): "file:line:column: ERROR: text", the column counted from 0.
  const esbuild = /:(\d+):(\d+): ERROR: (.*)/.exec(text);
  if (esbuild) return { message: esbuild[3], line: Number(esbuild[1]), column: Number(esbuild[2]) + 1 };
  const typescript = /:(\d+):(\d+) - error (TS\d+): (.*)/.exec(text);
  if (typescript)
    return {
      message: `${typescript[3]}: ${typescript[4]}`,
      line: Number(typescript[1]),
      column: Number(typescript[2]),
    };
  return { message: text.split('\n')[0] };
}

/**
 * TypeScript files are compiled on load by the process's TypeScript hook: tsx when sesform runs from
 * its sources, ts-jest in tests. The built CLI has none until the first TypeScript environment file.
 */
function ensureTypeScriptHook(): void {
  if (require.extensions?.['.ts'] !== undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('tsx/cjs/api') as { register: () => unknown }).register();
}

function readTypeScript(file: string): SourceFile {
  ensureTypeScriptHook();
  const exit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new ExitCalled(code);
  }) as typeof process.exit;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(file) as { default?: unknown };
    const value = loaded.default ?? loaded;
    if (loaded.default === undefined)
      return {
        file,
        error: { message: 'a TypeScript environment must `export default defineEnvironment({...})`.' },
        locate: noLocation,
      };
    return contentOrError(file, structuredClone(value), noLocation);
  } catch (error) {
    const { message, ...position } = error instanceof ExitCalled ? { message: error.message } : compileError(error);
    return { file, error: { message: `cannot load the TypeScript file: ${message}`, ...position }, locate: noLocation };
  } finally {
    process.exit = exit;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function locateInDocument(document: Document, lineCounter: LineCounter, at: Path) {
  let node: unknown = document.contents;
  let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (const part of at) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item: Pair) => isScalar(item.key) && String(item.key.value) === String(part));
      if (pair === undefined) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
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
