import { CircuitOpenError, TimeoutError } from '@platform/resilience';
import { HttpError } from '@platform/service-runtime';

/** The upstream answered 5xx: relayed to the client as it is, but it counts against the circuit. */
export class UpstreamServerError extends Error {
  constructor(readonly status: number) {
    super(`Upstream answered ${status}`);
    this.name = 'UpstreamServerError';
  }
}

/** The client went away before the upstream answered: nobody to answer, and not the upstream's fault. */
export class ClientAbortedError extends Error {
  constructor() {
    super('Client closed the connection');
    this.name = 'ClientAbortedError';
  }
}

/**
 * The upstream closed the pooled keep-alive connection the request went out on before answering (it was
 * shutting down, or closed the idle connection at that moment). Carries the socket error as `cause`.
 */
export class StaleConnectionError extends Error {
  constructor(cause: unknown) {
    super('Upstream closed a reused connection before answering', { cause });
    this.name = 'StaleConnectionError';
  }
}

export function payloadTooLarge(limitBytes: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${limitBytes} bytes`);
}

/**
 * What counts against an upstream's circuit: it did not answer (refused, reset, timed out) or answered 5xx.
 * A 4xx never does, nor a client that left or sent too much.
 */
export function countsAsUpstreamFailure(error: unknown): boolean {
  return !(error instanceof HttpError || error instanceof ClientAbortedError);
}

/** Maps a failed upstream exchange to the JSON error the client gets. */
export function toGatewayError(upstream: string, error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CircuitOpenError) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return new HttpError(
      503,
      'UPSTREAM_CIRCUIT_OPEN',
      `${upstream} is temporarily unavailable; retry later`,
      { upstream },
      { 'Retry-After': String(seconds) },
    );
  }
  if (error instanceof TimeoutError) {
    return new HttpError(504, 'UPSTREAM_TIMEOUT', `${upstream} did not answer in time`, { upstream });
  }
  return new HttpError(502, 'UPSTREAM_UNAVAILABLE', `${upstream} could not be reached`, { upstream });
}

/** One line for the log: `connect ECONNREFUSED 127.0.0.1:3002`, `Operation timed out after 5000 ms`. */
export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // A system error's code (ECONNRESET for "socket hang up"), unless the message names it already.
  const code = (error as NodeJS.ErrnoException).code;
  return code?.startsWith('E') && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
