import * as os from 'node:os';

/** A sensible number of Terraform processes at once: one per core (each is mostly a provider process). */
export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism());
}

/** Maps `items` with at most `limit` calls in flight; results keep the input order. Rejects with the first error after all settle. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}
