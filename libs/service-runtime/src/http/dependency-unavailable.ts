/** Prisma's codes for "could not reach / lost the database" (P1001 unreachable, P1002 timeout, …). */
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Postgres SQLSTATEs: 08xxx connection exceptions, 57P01–03 shutdown/cannot connect now, 53300 too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * Whether an error means a backing service (the database, typically) cannot be reached right now — a
 * reason to answer 503 and let the client retry, not a bug worth a 500. Looks through `cause` chains and
 * Prisma's driver-adapter wrapping.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, originalCode, kind, cause, meta } = error as {
    code?: unknown;
    originalCode?: unknown;
    kind?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown };
  };
  if (typeof code === 'string' && (PRISMA_CONNECTION_CODES.has(code) || NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) {
    return true;
  }
  if (typeof originalCode === 'string' && UNAVAILABLE_SQLSTATE.test(originalCode)) return true;
  if (kind === 'DatabaseNotReachable' || kind === 'ConnectionClosed' || kind === 'SocketTimeout') return true;
  return isDependencyUnavailable(cause, depth + 1) || isDependencyUnavailable(meta?.driverAdapterError, depth + 1);
}
