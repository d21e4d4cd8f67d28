import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChannelModel } from 'amqplib';
import { retryWithBackoff } from '@platform/resilience';
import { errorMessage, type RabbitConnection } from './connection';
import type { Logger } from './types';

/**
 * Reopens a component's channels after the broker closed one of them while the connection stayed up
 * (e.g. a channel-level error). If the connection went down instead, the component's onConnected setup
 * reopens them on the next connection, so this gives up as soon as `model` is no longer the live one.
 */
export async function reopenWhileConnected(
  connection: RabbitConnection,
  model: ChannelModel,
  open: () => Promise<void>,
  signal: AbortSignal,
  logger: Logger,
  what: string,
): Promise<void> {
  // A dropped connection closes its channels before it emits its own 'close'; let that settle first.
  await nextTurn();
  const live = (): boolean => !signal.aborted && !connection.isClosed() && connection.current() === model;
  try {
    await retryWithBackoff(
      async () => {
        if (live()) await open();
      },
      {
        maxAttempts: Number.MAX_SAFE_INTEGER,
        baseDelayMs: 100,
        maxDelayMs: 5_000,
        signal,
        shouldRetry: () => live(),
        onRetry: (error, attempt, delayMs) =>
          logger.warn(`Reopening the ${what} channel failed`, { attempt, retryInMs: delayMs, error: errorMessage(error) }),
      },
    );
  } catch (error) {
    if (live()) logger.error(`Gave up reopening the ${what} channel`, { error: errorMessage(error) });
  }
}
