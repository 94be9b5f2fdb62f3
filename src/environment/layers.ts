/**
 * `extends` support: deep merge of environment layers, where lists of named items (configuration
 * sets, destinations, dimensions) merge by `name`, and every merged value remembers the file and
 * path it came from, so an error names the file that holds the bad value.
 */
import { formatPath } from '../../modules/ses-validation-error';

export type Path = ReadonlyArray<string | number>;

/** Where a value was written. */
export interface Origin {
  readonly file: string;
  readonly path: Path;
}

/** A merged value with the origin of each part; origins are recorded at the top of each subtree taken whole. */
export interface Layered {
  readonly value: Record<string, unknown>;
  readonly origins: Map<string, Origin>;
}

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(value: unknown): value is PlainObject[] {
  return Array.isArray(value) && value.every((item) => isPlainObject(item) && typeof item.name === 'string');
}

function isWithin(key: string, prefix: string): boolean {
  return prefix === '' || key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`);
}

/** The file and path that `path` of the merged value came from. */
export function originOf(layered: Layered, path: Path): Origin {
  for (let length = path.length; length >= 0; length--) {
    const recorded = layered.origins.get(formatPath(path.slice(0, length)));
    if (recorded !== undefined) return { file: recorded.file, path: [...recorded.path, ...path.slice(length)] };
  }
  throw new Error(`no origin recorded for ${formatPath(path)}`);
}

/** A single file's value as a layer of its own. */
export function singleLayer(file: string, value: PlainObject): Layered {
  return { value: structuredClone(value), origins: new Map([['', { file, path: [] }]]) };
}

/**
 * `overlay` (the content of `file`) merged over `base`. The result's root belongs to `file`, so a
 * missing field is reported in the file that extends, not in its base.
 */
export function mergeLayer(base: Layered, file: string, overlay: PlainObject): Layered {
  const value = structuredClone(base.value);
  const origins = new Map(base.origins);
  // Pin each of the base's top-level fields to where it came from before the root changes hands.
  for (const key of Object.keys(value)) origins.set(formatPath([key]), originOf(base, [key]));
  origins.set('', { file, path: [] });

  const replace = (target: PlainObject | unknown[], key: string | number, incoming: unknown, at: Path, from: Path) => {
    (target as Record<string | number, unknown>)[key] = structuredClone(incoming);
    const prefix = formatPath(at);
    for (const recorded of [...origins.keys()])
      if (recorded !== '' && isWithin(recorded, prefix)) origins.delete(recorded);
    origins.set(prefix, { file, path: from });
  };

  const mergeObject = (target: PlainObject, incoming: PlainObject, at: Path, from: Path) => {
    for (const [key, next] of Object.entries(incoming)) {
      const current = target[key];
      if (isPlainObject(current) && isPlainObject(next)) mergeObject(current, next, [...at, key], [...from, key]);
      else if (isNamedList(current) && isNamedList(next)) mergeNamedList(current, next, [...at, key], [...from, key]);
      else replace(target, key, next, [...at, key], [...from, key]);
    }
  };

  const mergeNamedList = (target: PlainObject[], incoming: PlainObject[], at: Path, from: Path) => {
    incoming.forEach((item, index) => {
      const existing = target.findIndex((candidate) => candidate.name === item.name);
      if (existing >= 0) mergeObject(target[existing], item, [...at, existing], [...from, index]);
      else replace(target, target.length, item, [...at, target.length], [...from, index]);
    });
  };

  mergeObject(value, overlay, [], []);
  return { value, origins };
}
