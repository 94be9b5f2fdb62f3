/**
 * Filling the shared provider cache: the first init for some provider requirements runs alone, even
 * across processes (a lock folder in the cache); once one has succeeded, the rest run in parallel.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { whileFillingCache } from '../../src/terraform/plugin-cache';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An init that records how many run at once. */
function initCounter() {
  let running = 0;
  let most = 0;
  return {
    init: async () => {
      most = Math.max(most, ++running);
      await pause(50);
      running--;
      return 'done';
    },
    most: () => most,
  };
}

test('the first inits take turns; once the cache is warm for the requirements, inits run together', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-cache-'));
  const cold = initCounter();
  await Promise.all([1, 2, 3].map(() => whileFillingCache(cache, 'aws 5.100.0', cold.init)));
  expect(cold.most()).toBe(1);
  expect(fs.existsSync(path.join(cache, '.sesform-lock'))).toBe(false);

  const warm = initCounter();
  await Promise.all([1, 2, 3].map(() => whileFillingCache(cache, 'aws 5.100.0', warm.init)));
  expect(warm.most()).toBe(3);

  const other = initCounter();
  await Promise.all([1, 2].map(() => whileFillingCache(cache, 'aws 6.25.0', other.init)));
  expect(other.most()).toBe(1);
});

test('a failed init releases the lock and leaves the cache cold; a stale lock is taken over', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-cache-'));
  await expect(whileFillingCache(cache, 'x', () => Promise.reject(new Error('no provider')))).rejects.toThrow(
    'no provider',
  );
  expect(fs.existsSync(path.join(cache, '.sesform-lock'))).toBe(false);
  const counter = initCounter();
  await Promise.all([1, 2].map(() => whileFillingCache(cache, 'x', counter.init)));
  expect(counter.most()).toBe(1);

  const lock = path.join(cache, '.sesform-lock');
  fs.mkdirSync(lock);
  const old = new Date(Date.now() - 11 * 60_000);
  fs.utimesSync(lock, old, old);
  await expect(whileFillingCache(cache, 'y', async () => 'after a dead process')).resolves.toBe('after a dead process');
});
