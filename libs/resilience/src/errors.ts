/** Thrown when a call did not finish in time. `code` is stable for HTTP mapping. */
export class TimeoutError extends Error {
  readonly code = 'TIMEOUT' as const;

  constructor(
    readonly timeoutMs: number,
    message = `Operation timed out after ${timeoutMs} ms`,
  ) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** Thrown when a wait or a retry loop was cancelled through its AbortSignal. */
export class AbortError extends Error {
  readonly code = 'ABORTED' as const;

  constructor(message = 'Operation aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Thrown, without calling the protected function, while a circuit is open or its trial slots are taken. */
export class CircuitOpenError extends Error {
  readonly code = 'CIRCUIT_OPEN' as const;

  constructor(
    readonly circuitName: string,
    /** How long until the circuit lets a trial call through (0 in half-open when all trial slots are busy). */
    readonly retryAfterMs: number,
  ) {
    super(`Circuit "${circuitName}" is open`);
    this.name = 'CircuitOpenError';
  }
}

/** Thrown, without calling the function, when a bulkhead's slots and queue are all taken. */
export class BulkheadFullError extends Error {
  readonly code = 'BULKHEAD_FULL' as const;
  constructor(readonly bulkheadName: string) {
    super(`Bulkhead "${bulkheadName}" is full`);
    this.name = 'BulkheadFullError';
  }
}
