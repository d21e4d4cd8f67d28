import type { ReplayReport } from './types';

/**
 * Thrown by a message handler for a message that can never succeed (e.g. it fails its contract schema):
 * the consumer sends it to the dead-letter queue at once instead of retrying. `reason` is a stable code
 * that ends up in the `x-dead-letter-reason` header.
 */
export class PermanentMessageError extends Error {
  readonly code = 'PERMANENT_MESSAGE_ERROR' as const;

  constructor(
    readonly reason: string,
    message: string = reason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentMessageError';
  }
}

/** Checks by `code` too, so it still works if two copies of this library end up in one bundle. */
export function isPermanentMessageError(error: unknown): error is PermanentMessageError {
  return (
    error instanceof PermanentMessageError ||
    (error instanceof Error && (error as { code?: unknown }).code === 'PERMANENT_MESSAGE_ERROR' && 'reason' in error)
  );
}

export type PublishErrorCode =
  | 'NOT_CONNECTED'
  | 'NACKED'
  | 'CHANNEL_CLOSED'
  | 'CONFIRM_TIMEOUT'
  | 'PUBLISHER_CLOSED'
  | 'INVALID_MESSAGE'
  /** A mandatory message no queue is bound for: the broker returned (dropped) it. Try again later. */
  | 'UNROUTABLE';

/**
 * A publish the broker did not confirm, or (UNROUTABLE) confirmed without routing it anywhere. Except for
 * UNROUTABLE, the message may or may not have been routed.
 */
export class PublishError extends Error {
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/** Thrown by replayDeadLetters when a move fails half way; `report` says what was moved before. */
export class ReplayError extends Error {
  readonly code = 'REPLAY_FAILED' as const;

  constructor(
    message: string,
    readonly report: ReplayReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReplayError';
  }
}
