/**
 * Bounded retries for the errors that pass on their own: throttling and AWS server errors that
 * outlasted the provider's own retries. Any other error fails at once.
 */
import { setting } from '../config';
import { TransientAwsError } from '../terraform/errors';

export interface RetryOptions {
  /** Attempts in all, the first included. @default 3 */
  readonly attempts?: number;
  /** @default $SESFORM_RETRY_BASE_MS or 2000 */
  readonly baseMs?: number;
  /** Told before each retry, to say so in the report. */
  readonly onRetry: (attempt: number, cause: string, delayMs: number) => void;
}

/** Runs `work`, again after a transient error, up to `attempts` times with exponential backoff. */
export async function withRetries<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 3;
  const baseMs = options.baseMs ?? Number(setting('retryBaseMs') ?? 2000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof TransientAwsError)) throw error;
      const delayMs = Math.round(baseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      options.onRetry(attempt + 1, error.transientCause, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
