import { abortReason, sleep } from './sleep';

export interface RetryOptions {
  /** Total attempts, the first one included (>= 1). */
  maxAttempts: number;
  /** Delay cap before jitter for the first retry; it doubles (by `factor`) per retry. */
  baseDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
  factor?: number;
  /** Whether this error is worth another attempt (default: every error). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait; handy for logs and metrics. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * "Full jitter" backoff (AWS architecture blog): a uniformly random delay in
 * [0, min(maxDelayMs, baseDelayMs * factor^(retry-1))]. It spreads retries of many clients apart.
 */
export function backoffDelay(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'factor' | 'random'>): number {
  const factor = options.factor ?? 2;
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * factor ** Math.max(0, retry - 1));
  return Math.floor((options.random ?? Math.random)() * cap);
}

/**
 * Calls `operation` until it succeeds, the error is not retryable, the attempts run out or the signal
 * aborts. Rethrows the last error. `attempt` starts at 1.
 */
export async function retryWithBackoff<T>(
  operation: (attempt: number, signal?: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError('maxAttempts must be an integer >= 1');
  }
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await operation(attempt, options.signal);
    } catch (error) {
      const retryable = options.shouldRetry?.(error, attempt) ?? true;
      if (!retryable || attempt >= options.maxAttempts || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
