/**
 * The provider cache shared by every stack folder (TF_PLUGIN_CACHE_DIR). Terraform does not fill it
 * safely from two processes at once, so the first init for a set of provider requirements runs
 * alone, across processes, under a lock folder in the cache; once it has succeeded, a marker lets
 * every later init for the same requirements run in parallel.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A lock older than this was left by a process that died. */
const STALE_LOCK_MS = 10 * 60_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) fs.rmSync(lock, { recursive: true, force: true });
      else await pause(100);
    }
  }
}

/** Runs `init`, alone across processes unless the cache already holds what `requirements` need. */
export async function whileFillingCache<T>(cacheDir: string, requirements: string, init: () => Promise<T>): Promise<T> {
  const key = createHash('sha256').update(`${process.platform}-${process.arch}-${requirements}`).digest('hex');
  const warm = path.join(cacheDir, '.sesform-warm', key);
  if (fs.existsSync(warm)) return init();
  fs.mkdirSync(path.dirname(warm), { recursive: true });
  const lock = path.join(cacheDir, '.sesform-lock');
  await acquire(lock);
  try {
    const result = await init();
    fs.writeFileSync(warm, requirements);
    return result;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
