/**
 * Reads one environment or base file (YAML, JSON or TypeScript) and locates paths inside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';
import { Path } from './layers';

export const ENVIRONMENT_FILE_EXTENSIONS = ['.ts', '.yaml', '.yml', '.json'] as const;

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
  const extension = path.extname(file);
  if (extension === '.ts') return readTypeScript(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { file, error: { message: `cannot read the file: ${(error as Error).message}` }, locate: noLocation };
  }
  return extension === '.json' ? readJson(file, text) : readYaml(file, text);
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
  return contentOrError(file, document.toJS(), locate);
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
    const message = (error as Error).message;
    const offset = /position (\d+)/.exec(message)?.[1];
    const position = offset === undefined ? undefined : lineAndColumn(text, Number(offset));
    return { file, error: { message: `malformed JSON: ${message}`, ...position }, locate: noLocation };
  }
}

function readTypeScript(file: string): SourceFile {
  try {
    // TypeScript files are compiled on load by the process's TypeScript hook (tsx in the CLI, ts-jest in tests).
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
    const message = (error as Error).message.split('\n')[0];
    return { file, error: { message: `cannot load the TypeScript file: ${message}` }, locate: noLocation };
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
