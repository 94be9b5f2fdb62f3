/**
 * Bounded retries for the errors that pass on their own: throttling and AWS server errors that
 * outlasted the provider's own retries. Any other error fails at once.
 */
import { StackStepError } from '../terraform/stack-workspace';

const TRANSIENT =
  /Throttling|TooManyRequests|Rate exceeded|RequestLimitExceeded|SlowDown|ServiceUnavailable|InternalFailure|InternalServerError|StatusCode: 5\d\d/i;

/** Tuning for tests: the first delay in milliseconds (doubled on every retry). */
export const RETRY_BASE_MS_ENV = 'SESFORM_RETRY_BASE_MS';

export function isTransient(error: unknown): error is StackStepError {
  if (!(error instanceof StackStepError)) return false;
  const { stdout, stderr } = error.result;
  return TRANSIENT.test(`${stderr}\n${stdout}`) && !/Error acquiring the state lock/.test(stderr);
}

/** The line of Terraform's error that names the transient cause. */
export function transientCause(error: StackStepError): string {
  const text = `${error.result.stderr}\n${error.result.stdout}`;
  return (
    text
      .split('\n')
      .map((line) => line.replace(/^[│\s]+/, '').trim())
      .find((line) => TRANSIENT.test(line)) ?? 'a transient AWS error'
  );
}

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
  const baseMs = options.baseMs ?? Number(process.env[RETRY_BASE_MS_ENV] ?? 2000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      const delayMs = Math.round(baseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      options.onRetry(attempt + 1, transientCause(error), delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
