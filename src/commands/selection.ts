/** The stack selection of the commands that work on stacks: --env/--all, and the numbers, checked. */
import { Shard, parseShard } from '../engine/scheduling';
import type { Options } from './options';

export const MAX_CONCURRENCY = 256;
export const MAX_WAVE = 1000;
export const MAX_VERIFY_TIMEOUT_SECONDS = 3600;

/** Decimal digits only (no 1e9, 0x10, 1.0) within the bounds: numbers that cannot stall a run. */
export function boundedInteger(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

export interface StackSelection {
  readonly concurrency?: number;
  readonly waves: number[];
  readonly shard?: Shard;
}

/** The numeric engine options, checked; throws with the option named. */
export function stackSelection(options: Options): StackSelection {
  const concurrency =
    options.concurrency === undefined ? undefined : boundedInteger(options.concurrency, 1, MAX_CONCURRENCY);
  if (options.concurrency !== undefined && concurrency === undefined)
    throw new Error(`--concurrency ${options.concurrency}: expected a whole number from 1 to ${MAX_CONCURRENCY}.`);
  const waves = options.wave.map((wave) => {
    const value = boundedInteger(wave, 0, MAX_WAVE);
    if (value === undefined) throw new Error(`--wave ${wave}: expected a wave number from 0 to ${MAX_WAVE}.`);
    return value;
  });
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  return { concurrency, waves, shard };
}

/** The command-line check of a command that works on stacks: --env or --all (not both), valid numbers. */
export function checkStackSelection(command: string) {
  return ({ options }: { readonly options: Options }): string[] => {
    const problems: string[] = [];
    if (options.all === options.env.length > 0)
      problems.push(`${command} needs the environments to work on: --env NAME (repeatable) or --all, not both.`);
    try {
      stackSelection(options);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return problems;
  };
}
