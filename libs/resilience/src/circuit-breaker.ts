import { CircuitOpenError } from './errors';
import { withTimeout } from './with-timeout';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface CircuitBreakerOptions {
  name: string;
  /**
   * Consecutive failures that open a closed circuit; with `failureRate`, the fewest failures within its
   * window that may open it.
   */
  failureThreshold: number;
  /**
   * Open on the share of failures among the calls of a sliding window instead of on failures in a row: the
   * circuit opens once, within the last `windowMs`, at least `failureThreshold` calls failed and they are at
   * least `threshold` (0–1] of the calls. A handful of failures among many successes (slow moments under
   * load, one client's bad requests) then never opens it.
   */
  failureRate?: { threshold: number; windowMs: number };
  /** How long an open circuit rejects calls before it lets trial calls through. */
  resetTimeoutMs: number;
  /** Trial calls allowed at the same time while half-open; further calls are rejected at once. */
  halfOpenMaxConcurrent?: number;
  /** Successful trial calls needed to close a half-open circuit. */
  successThreshold?: number;
  /** A deadline per call; a call that exceeds it counts as a failure and is aborted. */
  callTimeoutMs?: number;
  /** Errors for which this returns false (a 404, a validation error) do not count against the circuit. */
  isFailure?: (error: unknown) => boolean;
  onStateChange?: (change: { name: string; from: CircuitState; to: CircuitState }) => void;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** Successes and failures per time slice, over a sliding window of `slices` slices (no timers). */
class RollingCounts {
  private readonly sliceMs: number;
  private readonly slices: Array<{ id: number; successes: number; failures: number }>;

  constructor(windowMs: number, slices = 10) {
    this.sliceMs = Math.max(1, windowMs / slices);
    this.slices = Array.from({ length: slices }, () => ({ id: -1, successes: 0, failures: 0 }));
  }

  record(now: number, failed: boolean): void {
    const id = Math.floor(now / this.sliceMs);
    const slice = this.slices[id % this.slices.length];
    if (slice.id !== id) Object.assign(slice, { id, successes: 0, failures: 0 });
    if (failed) slice.failures++;
    else slice.successes++;
  }

  totals(now: number): { calls: number; failures: number } {
    const oldest = Math.floor(now / this.sliceMs) - this.slices.length;
    let calls = 0;
    let failures = 0;
    for (const slice of this.slices) {
      if (slice.id <= oldest) continue;
      calls += slice.successes + slice.failures;
      failures += slice.failures;
    }
    return { calls, failures };
  }

  clear(): void {
    for (const slice of this.slices) Object.assign(slice, { id: -1, successes: 0, failures: 0 });
  }
}

/**
 * Closed → (failureThreshold consecutive failures, or the failure rate of the window) → Open → (resetTimeoutMs) → Half-open.
 * Half-open admits at most `halfOpenMaxConcurrent` trial calls; `successThreshold` successes close the
 * circuit, any failure opens it again. The breaker owns no timers: "open until" is a timestamp checked on
 * the next call, so nothing is left running between calls.
 */
export class CircuitBreaker {
  private currentState: CircuitState = 'CLOSED';
  private consecutiveFailures = 0;
  private halfOpenSuccesses = 0;
  private trialsInFlight = 0;
  private openedAt = 0;
  private readonly now: () => number;
  private readonly window?: RollingCounts;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (options.failureThreshold < 1) throw new RangeError('failureThreshold must be >= 1');
    if ((options.halfOpenMaxConcurrent ?? 1) < 1) throw new RangeError('halfOpenMaxConcurrent must be >= 1');
    const rate = options.failureRate;
    if (rate && !(rate.threshold > 0 && rate.threshold <= 1)) throw new RangeError('failureRate.threshold must be in (0, 1]');
    this.now = options.now ?? Date.now;
    if (rate) this.window = new RollingCounts(rate.windowMs);
  }

  get name(): string {
    return this.options.name;
  }

  /** The state as a caller would see it now (an open circuit whose timeout passed reads as half-open). */
  get state(): CircuitState {
    if (this.currentState === 'OPEN' && this.remainingOpenMs() === 0) return 'HALF_OPEN';
    return this.currentState;
  }

  /** Milliseconds until an open circuit admits a trial call; 0 when it would admit one now. */
  retryAfterMs(): number {
    return this.currentState === 'OPEN' ? this.remainingOpenMs() : 0;
  }

  async execute<T>(operation: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const isTrial = this.admit();
    try {
      const result =
        this.options.callTimeoutMs === undefined ? await operation() : await withTimeout(operation, this.options.callTimeoutMs);
      this.recordSuccess(isTrial);
      return result;
    } catch (error) {
      this.recordFailure(isTrial, error);
      throw error;
    } finally {
      if (isTrial) this.trialsInFlight--;
    }
  }

  /** Returns whether the call is a half-open trial; throws CircuitOpenError when it may not run. */
  private admit(): boolean {
    if (this.currentState === 'OPEN') {
      const remaining = this.remainingOpenMs();
      if (remaining > 0) throw new CircuitOpenError(this.name, remaining);
      this.transition('HALF_OPEN');
    }
    if (this.currentState === 'HALF_OPEN') {
      if (this.trialsInFlight >= (this.options.halfOpenMaxConcurrent ?? 1)) {
        throw new CircuitOpenError(this.name, 0);
      }
      this.trialsInFlight++;
      return true;
    }
    return false;
  }

  private recordSuccess(isTrial: boolean): void {
    if (isTrial && this.currentState === 'HALF_OPEN') {
      this.halfOpenSuccesses++;
      if (this.halfOpenSuccesses >= (this.options.successThreshold ?? 1)) this.transition('CLOSED');
    } else if (this.currentState === 'CLOSED') {
      this.consecutiveFailures = 0;
      this.window?.record(this.now(), false);
    }
  }

  private recordFailure(isTrial: boolean, error: unknown): void {
    if (this.options.isFailure && !this.options.isFailure(error)) {
      // Not the protected service's fault (a 404, a caller that gave up): no evidence either way for a
      // trial or the failure-rate window; while closed it still shows the service answers, so a streak of
      // failures in a row ends.
      if (!isTrial && this.currentState === 'CLOSED') this.consecutiveFailures = 0;
      return;
    }
    if (isTrial && this.currentState === 'HALF_OPEN') {
      this.transition('OPEN');
    } else if (this.currentState === 'CLOSED') {
      this.consecutiveFailures++;
      if (this.shouldOpen()) this.transition('OPEN');
    }
  }

  private shouldOpen(): boolean {
    if (!this.window || !this.options.failureRate) return this.consecutiveFailures >= this.options.failureThreshold;
    const now = this.now();
    this.window.record(now, true);
    const { calls, failures } = this.window.totals(now);
    return failures >= this.options.failureThreshold && failures >= calls * this.options.failureRate.threshold;
  }

  private remainingOpenMs(): number {
    return Math.max(0, this.openedAt + this.options.resetTimeoutMs - this.now());
  }

  private transition(to: CircuitState): void {
    const from = this.currentState;
    if (from === to) return;
    this.currentState = to;
    this.consecutiveFailures = 0;
    this.halfOpenSuccesses = 0;
    this.window?.clear();
    if (to === 'OPEN') this.openedAt = this.now();
    this.options.onStateChange?.({ name: this.name, from, to });
  }
}
