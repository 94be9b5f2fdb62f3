/**
 * The stacks a run works on: one per environment and region, in wave order, optionally cut into
 * deterministic shards so that N pipeline jobs cover a fleet between them.
 */
import type { LoadedEnvironment } from '../environment/loader';
import type { Environment } from '../environment/schema';
import { stackName } from '../environment/stack-naming';

export interface StackTarget {
  readonly stack: string;
  readonly environment: Environment;
  /** The environment file, for messages. */
  readonly file: string;
  readonly region: string;
  readonly wave: number;
}

export function targetsOf(environments: readonly LoadedEnvironment[]): StackTarget[] {
  return environments
    .flatMap(({ environment, file }) =>
      environment.regions.map((region) => ({
        stack: stackName(environment.name, region),
        environment,
        file,
        region,
        wave: environment.wave,
      })),
    )
    .sort((a, b) => a.wave - b.wave || a.stack.localeCompare(b.stack));
}

/** Shard `index` of `count`, both from `--shard I/N` (I counts from 1). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(count >= 1 && index >= 1 && index <= count))
    throw new Error(`--shard ${text}: expected I/N with 1 <= I <= N, e.g. --shard 2/4.`);
  return { index, count };
}

/**
 * The share of `targets` that shard I of N runs. Each wave is dealt out on its own, in stack-name
 * order, so that every shard gets an even part of every wave (a wave's jobs finish together) and the
 * same inputs always give the same shards.
 */
export function shardOf(targets: readonly StackTarget[], { index, count }: Shard): StackTarget[] {
  const waves = [...new Set(targets.map((target) => target.wave))];
  let dealt = 0;
  const mine: StackTarget[] = [];
  for (const wave of waves) {
    const inWave = targets.filter((target) => target.wave === wave).sort((a, b) => a.stack.localeCompare(b.stack));
    // Continue the deal where the previous wave stopped, so that small waves do not all land on shard 1.
    for (const target of inWave) if (dealt++ % count === index - 1) mine.push(target);
  }
  return mine;
}

/** The waves of `targets`, in order, each with its stacks. */
export function wavesOf<T extends { readonly wave: number }>(targets: readonly T[]): { wave: number; members: T[] }[] {
  return [...new Set(targets.map((target) => target.wave))]
    .sort((a, b) => a - b)
    .map((wave) => ({ wave, members: targets.filter((target) => target.wave === wave) }));
}
