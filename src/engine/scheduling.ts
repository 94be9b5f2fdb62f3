/**
 * Scheduling: which of the fleet's stacks a run works on, in which waves, and the deterministic
 * shards that let N pipeline jobs cover a fleet between them.
 */
import type { FleetStack } from '../fleet/fleet';

/** Shard `index` of `count`, both from `--shard I/N` (I counts from 1). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** More shards than this is a typo, not a pipeline. */
export const MAX_SHARDS = 1000;

export function parseShard(text: string): Shard {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count))
    throw new Error(`--shard ${text}: expected I/N with 1 <= I <= N <= ${MAX_SHARDS}, e.g. --shard 2/4.`);
  return { index, count };
}

/**
 * The share of `targets` that shard I of N runs. Each wave is dealt out on its own, in stack-name
 * order, so that every shard gets an even part of every wave (a wave's jobs finish together) and the
 * same inputs always give the same shards.
 */
export function shardOf(targets: readonly FleetStack[], { index, count }: Shard): FleetStack[] {
  const waves = [...new Set(targets.map((target) => target.wave))];
  let dealt = 0;
  const mine: FleetStack[] = [];
  for (const wave of waves) {
    const inWave = targets.filter((target) => target.wave === wave).sort((a, b) => a.name.localeCompare(b.name));
    // Continue the deal where the previous wave stopped, so that small waves do not all land on shard 1.
    for (const target of inWave) if (dealt++ % count === index - 1) mine.push(target);
  }
  return mine;
}

/** The stacks of the given waves (every wave when none is given), then shard I of N when one is given. */
export function selectStacks(
  stacks: readonly FleetStack[],
  { waves, shard }: { waves?: readonly number[]; shard?: Shard },
): FleetStack[] {
  const inWaves = stacks.filter((stack) => !waves?.length || waves.includes(stack.wave));
  return shard ? shardOf(inWaves, shard) : inWaves;
}
