/**
 * Finds, reads, merges (`extends`) and validates the environment files of a folder, and reports every
 * problem of every file in one pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { closestMatch, didYouMean } from '../../modules/did-you-mean';
import { quote } from '../../modules/ses-rules';
import { formatPath } from '../../modules/ses-validation-error';
import { setting } from '../config';
import { Fleet, LoadedEnvironment, resolveFleet } from './fleet';
import { fleetProblems } from './fleet-rules';
import { Layered, Origin, Path, mergeLayer, originOf, singleLayer } from '../environment/layers';
import { Problem, displayPath } from '../environment/problems';
import { CONTROL_CHARACTER } from '../format';
import { EnvironmentSchema } from '../environment/schema';
import {
  ENVIRONMENT_FILE_EXTENSIONS,
  MAX_FILE_BYTES,
  MAX_FILE_SIZE_TEXT,
  SourceFile,
  readSourceFile,
} from '../environment/source-file';

/** The folder of environment files when neither `--environments` nor SESFORM_ENVIRONMENTS says otherwise. */
export const DEFAULT_ENVIRONMENTS_DIR = 'environments';

/** A valid environment and the file it was declared in. */
export type { LoadedEnvironment };

export interface LoadResult {
  readonly environments: LoadedEnvironment[];
  /** The valid environments resolved into the fleet model, once. */
  readonly fleet: Fleet;
  readonly problems: Problem[];
  /**
   * The environments left out for their problems, by their file's name and the `name` they declare:
   * a command asked for one of them has those problems to say, not "no such environment".
   */
  readonly rejected: readonly string[];
  /**
   * Warnings about the valid environments (they carry `field`) at the file, line and column where the
   * value was written, a base file's once, like problems.
   */
  readonly locate: (warnings: readonly Problem[]) => Problem[];
}

/** The environments folder: the explicit one, else SESFORM_ENVIRONMENTS, else `environments`. */
export function environmentsDir(explicit?: string): string {
  return path.resolve(explicit ?? setting('environments') ?? DEFAULT_ENVIRONMENTS_DIR);
}

/**
 * Every environment in `dir`, in rollout order (wave, then name). Files whose name starts with "_"
 * and files that another file `extends` are bases, not environments. Problems come back sorted by
 * file; an environment with a problem is left out of `environments`.
 */
export function loadEnvironments(dir: string): LoadResult {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    return {
      environments: [],
      fleet: resolveFleet([]),
      problems: [{ file: displayPath(dir), path: '', message: 'no such environments folder.' }],
      rejected: [],
      locate: (warnings) => [...warnings],
    };
  const candidates = fs
    .readdirSync(dir)
    .filter((name) => ENVIRONMENT_FILE_EXTENSIONS.some((extension) => name.endsWith(extension)))
    .filter((name) => !name.endsWith('.d.ts') && !name.startsWith('_'))
    .sort()
    .map((name) => path.join(dir, name));

  const reader = new LayerReader(dir);
  const layers = candidates.map((file) => ({ file, ...reader.read(file) }));
  const bases = reader.extendedFiles();
  const problems: Problem[] = [];
  const environments: LoadedEnvironment[] = [];
  const layeredByFile = new Map<string, { file: string; layered: Layered }>();
  const rejected: string[] = [];
  for (const { file, layered, problems: readProblems } of layers) {
    // A base's own problems also reach every file that extends it: onceEach reports them once.
    problems.push(...readProblems);
    if (bases.has(file)) continue;
    const stem = path.basename(file).replace(/\.(ya?ml|json|ts)$/, '');
    if (layered === undefined) {
      rejected.push(stem);
      continue;
    }
    const unprintable = controlCharacters(layered.value).map(({ at, character }) =>
      locatedProblem(
        file,
        at,
        layered,
        reader,
        `contains the control character ${character}: every value of an environment file is one line of printable text (a control character could rewrite what a terminal or a review shows).`,
      ),
    );
    problems.push(...unprintable);
    const parsed = EnvironmentSchema.safeParse(layered.value, { reportInput: true });
    if (parsed.success && unprintable.length === 0) {
      environments.push({ file: displayPath(file), environment: parsed.data });
      layeredByFile.set(displayPath(file), { file, layered });
    } else {
      rejected.push(stem, ...(typeof layered.value.name === 'string' ? [layered.value.name] : []));
      if (!parsed.success)
        problems.push(...parsed.error.issues.flatMap((issue) => issueProblems(issue, file, layered, reader)));
    }
  }
  if (candidates.length === 0)
    problems.push({
      file: displayPath(dir),
      path: '',
      message: 'no environment files (.ts, .yaml, .yml, .json) in this folder.',
    });
  else if (candidates.every((file) => bases.has(file)))
    problems.push({
      file: displayPath(dir),
      path: '',
      message: 'every file in this folder is a base that another file extends: no environment is left.',
    });
  environments.sort(
    (a, b) => a.environment.wave - b.environment.wave || a.environment.name.localeCompare(b.environment.name),
  );
  const fleet = resolveFleet(environments);
  problems.push(...fleetProblems(fleet));
  const locate = (warnings: readonly Problem[]) =>
    sortProblems(
      onceEach(
        warnings.map((warning) => {
          const source = layeredByFile.get(warning.file);
          if (source === undefined || warning.field === undefined) return warning;
          return locatedProblem(source.file, [...warning.field], source.layered, reader, warning.message);
        }),
      ),
    );
  return { environments, fleet, problems: sortProblems(onceEach(problems)), rejected, locate };
}

/** Every string (value or key) holding a control character, by path, with the first one named. */
export function controlCharacters(
  value: unknown,
  at: (string | number)[] = [],
): { at: (string | number)[]; character: string }[] {
  const found = (text: string, where: (string | number)[]) => {
    const match = CONTROL_CHARACTER.exec(text);
    return match === null
      ? []
      : [{ at: where, character: `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` }];
  };
  if (typeof value === 'string') return found(value, at);
  if (Array.isArray(value)) return value.flatMap((item, index) => controlCharacters(item, [...at, index]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => [
      ...found(key, [...at, key]),
      ...controlCharacters(item, [...at, key]),
    ]);
  return [];
}

/** A base file's problem reaches every environment that extends it: one problem, naming them all. */
function onceEach(problems: readonly Problem[]): Problem[] {
  const byKey = new Map<string, Problem>();
  for (const problem of problems) {
    const key = JSON.stringify([problem.file, problem.path, problem.message, problem.line, problem.column]);
    const earlier = byKey.get(key);
    if (earlier?.inheritedBy && problem.inheritedBy)
      byKey.set(key, { ...earlier, inheritedBy: [...new Set([...earlier.inheritedBy, ...problem.inheritedBy])] });
    else if (earlier === undefined) byKey.set(key, problem);
  }
  return [...byKey.values()];
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}

/** Keys that would reach Object.prototype through a merge: never a field of an environment. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Where forbidden keys are in `value`, as paths of their containing objects and the key. */
function forbiddenKeys(value: unknown, at: Path = []): { at: Path; key: string }[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => forbiddenKeys(item, [...at, index]));
  return Object.keys(value).flatMap((key) =>
    FORBIDDEN_KEYS.has(key) ? [{ at, key }] : forbiddenKeys((value as Record<string, unknown>)[key], [...at, key]),
  );
}

type LayerResult = { layered?: Layered; problems: Problem[] };

/** `candidate` is inside `folder` (neither the folder itself nor outside it). */
function within(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Reads files once each and resolves their `extends` chains, each base once however many files
 * extend it (a fan-out of bases cannot multiply the work). Bases must be regular files inside the
 * environments folder, within the size cap.
 */
class LayerReader {
  private readonly sources = new Map<string, SourceFile>();
  private readonly resolved = new Map<string, LayerResult>();
  private readonly extended = new Set<string>();
  private readonly loops = new Set<Problem>();

  constructor(private readonly root: string) {}

  source(file: string): SourceFile {
    let source = this.sources.get(file);
    if (source === undefined) {
      source = readSourceFile(file);
      this.sources.set(file, source);
    }
    return source;
  }

  extendedFiles(): ReadonlySet<string> {
    return this.extended;
  }

  /** The file merged over its bases, or the problems that stop it from being read. */
  read(file: string, chain: readonly string[] = []): LayerResult {
    const known = this.resolved.get(file);
    if (known !== undefined) return known;
    const result = this.resolve(file, chain);
    // A loop is seen from where the chain started: read again from elsewhere, it is reported there too.
    if (!result.problems.some((problem) => this.loops.has(problem))) this.resolved.set(file, result);
    return result;
  }

  /** Why `parentFile` may not be a base, if it may not. */
  private baseProblem(parent: string, parentFile: string): string | undefined {
    const inside = (candidate: string) => {
      const relative = path.relative(this.root, candidate);
      return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    };
    if (!inside(parentFile))
      return `${parent} is outside the environments folder: a base must be a file in it (or below it).`;
    if (!fs.existsSync(parentFile)) return undefined; // said below, with a suggestion
    // A link may not lead out of the folder either.
    if (!inside(fs.realpathSync(parentFile)))
      return `${parent} is outside the environments folder: a base must be a file in it (or below it).`;
    const stat = fs.statSync(parentFile);
    if (!stat.isFile()) return `${parent} is not a regular file.`;
    if (stat.size > MAX_FILE_BYTES)
      return `${parent} is larger than ${MAX_FILE_SIZE_TEXT}, the limit for an environment file.`;
    return undefined;
  }

  private resolve(file: string, chain: readonly string[]): LayerResult {
    const here = displayPath(file);
    // A link in the folder may not lead out of it: what is read is what the folder holds.
    if (fs.existsSync(file) && !within(fs.realpathSync(this.root), fs.realpathSync(file)))
      return {
        problems: [
          {
            file: here,
            path: '',
            message:
              'a symbolic link to a file outside the environments folder: an environment file must be a file in the folder (or below it).',
          },
        ],
      };
    const source = this.source(file);
    if (source.content === undefined) {
      const error = source.error ?? { message: 'empty file.' };
      return { problems: [{ file: here, path: '', message: error.message, line: error.line, column: error.column }] };
    }
    const forbidden = forbiddenKeys(source.content);
    if (forbidden.length > 0)
      return {
        problems: forbidden.map(({ at, key }) => ({
          file: here,
          path: formatPath(at),
          message: `unknown field "${key}". A field of this name is never allowed: merged, it would change every object of the process.`,
          ...source.locate([...at, key], 'key'),
        })),
      };
    const { extends: parents, ...own } = source.content;
    const parentList = parents === undefined ? [] : Array.isArray(parents) ? parents : [parents];
    const problems: Problem[] = [];
    let layered: Layered | undefined;
    parentList.forEach((parent, index) => {
      const at: Path = Array.isArray(parents) ? ['extends', index] : ['extends'];
      const located = { file: here, path: formatPath(at), ...source.locate(at) };
      if (typeof parent !== 'string') {
        problems.push({
          ...located,
          message: '`extends` takes a file path, or a list of them, relative to this file.',
        });
        return;
      }
      const parentFile = path.resolve(path.dirname(file), parent);
      const refused = this.baseProblem(parent, parentFile);
      if (refused !== undefined) {
        problems.push({ ...located, message: refused });
        return;
      }
      if (chain.includes(parentFile) || parentFile === file) {
        const loop = { ...located, message: `${parent} extends this file again: \`extends\` chains must not loop.` };
        this.loops.add(loop);
        problems.push(loop);
        return;
      }
      if (!fs.existsSync(parentFile)) {
        const siblings = fs.existsSync(path.dirname(parentFile)) ? fs.readdirSync(path.dirname(parentFile)) : [];
        problems.push({
          ...located,
          message: `the base file ${displayPath(parentFile)} does not exist.${didYouMean(path.basename(parent), siblings)}`,
        });
        return;
      }
      this.extended.add(parentFile);
      const base = this.read(parentFile, [...chain, file]);
      problems.push(...base.problems);
      if (base.layered !== undefined)
        layered =
          layered === undefined ? base.layered : mergeLayer(layered, displayPath(parentFile), base.layered.value);
    });
    if (problems.length > 0) return { problems };
    return { layered: layered === undefined ? singleLayer(here, own) : mergeLayer(layered, here, own), problems };
  }
}

type Issue = z.core.$ZodIssue;

/** One zod issue as problems, at the file and line where the offending value was written. */
function issueProblems(issue: Issue, file: string, layered: Layered, reader: LayerReader): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = fieldNamesAt(issue.path);
    return issue.keys.map((key) =>
      locatedProblem(
        file,
        [...issue.path, key],
        layered,
        reader,
        `unknown field "${key}".${didYouMean(key, allowed)}${allowedFieldsHint(key, allowed)}`,
        'key',
      ),
    );
  }
  return [locatedProblem(file, issue.path, layered, reader, issueMessage(issue))];
}

function allowedFieldsHint(key: string, allowed: string[]): string {
  return closestMatch(key, allowed) === undefined && allowed.length > 0 ? ` Fields here: ${allowed.join(', ')}.` : '';
}

function locatedProblem(
  file: string,
  at: PropertyKey[],
  layered: Layered,
  reader: LayerReader,
  message: string,
  target: 'key' | 'value' = 'value',
): Problem {
  const fieldPath = at.filter((part): part is string | number => typeof part !== 'symbol');
  const origin: Origin = originOf(layered, fieldPath);
  const originFile = path.resolve(origin.file);
  const source = reader.source(originFile);
  const position = source.locate(origin.path, target);
  // Where the problem is written, in that file's own terms: its named items by name.
  const where = namedPath(source.content, origin.path);
  // A value written in a base file is that file's problem, at its own path there.
  if (originFile !== file)
    return { file: origin.file, path: where, message, inheritedBy: [displayPath(file)], ...position };
  return { file: displayPath(file), path: where, message, ...position };
}

/**
 * A path as a reader finds it in the file: an item of a named list (a set, a destination) by its name,
 * `configurationSets[name=marketing].sendingEnabled`, rather than by an index the file does not show
 * once bases are merged; other lists by the file's own index.
 */
export function namedPath(content: unknown, at: readonly (string | number)[]): string {
  let node = content;
  let text = '';
  for (const part of at) {
    const item = Array.isArray(node) && typeof part === 'number' ? (node[part] as unknown) : undefined;
    const name = (item as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') text += `[name=${/^[A-Za-z0-9_.:-]+$/.test(name) ? name : JSON.stringify(name)}]`;
    else text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${part}`;
    node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[part] : undefined;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${quote(value)}`;
}

function issueMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `this field is required (${issue.expected}).`;
      if (issue.message.startsWith('Invalid input'))
        return `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, found ${describe(issue.input)}.`;
      return issue.message;
    default:
      return issue.message;
  }
}

type SchemaNode = { _zod: { def: Record<string, unknown> } };

/** The field names an object in the schema takes at `at`, for "did you mean" on unknown fields. */
function fieldNamesAt(at: PropertyKey[]): string[] {
  let node: SchemaNode | undefined = EnvironmentSchema as unknown as SchemaNode;
  const unwrap = (schema: SchemaNode | undefined): SchemaNode | undefined => {
    let current = schema;
    for (let guard = 0; current !== undefined && guard < 10; guard++) {
      const def = current._zod.def;
      const inner = (def.innerType ?? def.in) as SchemaNode | undefined;
      if (inner === undefined) break;
      current = inner;
    }
    return current;
  };
  for (const part of at) {
    node = unwrap(node);
    const def = node?._zod.def;
    if (def?.type === 'array') node = def.element as SchemaNode;
    else if (def?.type === 'object') node = (def.shape as Record<string, SchemaNode>)[String(part)];
    else return [];
  }
  const def = unwrap(node)?._zod.def;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}
