import { connect, type ChannelModel, type GetMessage } from 'amqplib';
import { errorMessage, type RabbitConnection } from './connection';
import { publishWithConfirm, watchChannelErrors, watchReturns } from './confirm-publisher';
import { ReplayError } from './errors';
import { applicationHeaders, copyOptions, MessagingHeaders, originOf, readNumberHeader, readStringHeader } from './headers';
import { noopLogger } from './logger';
import { deadLetterQueueName } from './topology';
import type { Logger, MessageHeaders, ReplayedMessage, ReplayReport } from './types';

export interface ReplayDeadLettersOptions {
  /** The consumer's queue; messages come from `<queue>.dlq`. */
  queue: string;
  /** An app's live connection, or `url` for a one-off connection (the CLI). */
  connection?: RabbitConnection;
  url?: string;
  /** List what would move; the DLQ stays as it is. */
  dryRun?: boolean;
  /** At most this many messages (default: all that were in the DLQ at the start). */
  limit?: number;
  logger?: Logger;
  /** Also the connect timeout. Default 15 s. */
  timeoutMs?: number;
}

/**
 * Moves dead letters back to their queue through the default exchange (so no other subscriber of the
 * topic exchange gets a duplicate), one at a time: publish, wait for the confirm, then ack the DLQ copy.
 * The attempt count starts again at 1 and the dead-letter headers are dropped; the original routing key
 * travels in `x-original-routing-key`. Only messages present at the start are handled, so a message that
 * fails again and returns to the DLQ is not replayed in a loop.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<ReplayReport> {
  const logger = options.logger ?? noopLogger;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dryRun = options.dryRun ?? false;
  const deadLetterQueue = deadLetterQueueName(options.queue);
  const report: ReplayReport = { queue: options.queue, deadLetterQueue, dryRun, found: 0, count: 0, messages: [] };

  const { model, release } = await openConnection(options, timeoutMs);
  const channel = await model.createConfirmChannel().catch(async (error: unknown) => {
    await release();
    throw error;
  });
  watchChannelErrors(channel, logger, 'replay');
  watchReturns(channel);
  try {
    report.found = (await channel.checkQueue(deadLetterQueue)).messageCount;
    await channel.checkQueue(options.queue); // a publish to a missing queue would be confirmed and dropped
    const limit = Math.min(report.found, options.limit ?? Number.POSITIVE_INFINITY);
    while (report.count < limit) {
      const message = await channel.get(deadLetterQueue, { noAck: false });
      if (!message) break;
      const entry = describe(message);
      // A dry run holds its messages unacked; closing the channel puts them back in place.
      if (!dryRun) {
        // Mandatory: should the queue vanish meanwhile, the broker returns the copy (UNROUTABLE) and it stays here.
        await publishWithConfirm(
          channel,
          '',
          options.queue,
          message.content,
          { ...copyOptions(message, replayHeaders(message, deadLetterQueue)), mandatory: true },
          timeoutMs,
        );
        channel.ack(message);
        logger.info('Dead letter replayed', { queue: options.queue, ...entry });
      }
      report.messages.push(entry);
      report.count++;
    }
    return report;
  } catch (error) {
    throw new ReplayError(`Replay from ${deadLetterQueue} failed after ${report.count} message(s): ${errorMessage(error)}`, report, {
      cause: error,
    });
  } finally {
    await channel.close().catch(() => undefined);
    await release();
  }
}

function replayHeaders(message: GetMessage, deadLetterQueue: string): MessageHeaders {
  const headers = message.properties.headers as MessageHeaders | undefined;
  const origin = originOf(message, deadLetterQueue);
  return {
    ...applicationHeaders(headers),
    [MessagingHeaders.originalExchange]: origin.exchange,
    [MessagingHeaders.originalRoutingKey]: origin.routingKey,
    [MessagingHeaders.replayCount]: (readNumberHeader(headers, MessagingHeaders.replayCount) ?? 0) + 1,
  };
}

function describe(message: GetMessage): ReplayedMessage {
  const headers = message.properties.headers as MessageHeaders | undefined;
  return {
    messageId: message.properties.messageId,
    routingKey: readStringHeader(headers, MessagingHeaders.originalRoutingKey),
    reason: readStringHeader(headers, MessagingHeaders.deadLetterReason),
    attempts: readNumberHeader(headers, MessagingHeaders.attempts),
    deadLetteredAt: readStringHeader(headers, MessagingHeaders.deadLetteredAt),
  };
}

async function openConnection(
  options: ReplayDeadLettersOptions,
  timeoutMs: number,
): Promise<{ model: ChannelModel; release: () => Promise<void> }> {
  if (options.connection) {
    await options.connection.waitUntilConnected(timeoutMs);
    const model = options.connection.current();
    if (!model) throw new Error('RabbitMQ connection dropped before the replay started');
    return { model, release: async () => undefined };
  }
  if (!options.url) throw new Error('replayDeadLetters needs a connection or a url');
  const model = await connect(options.url, { timeout: timeoutMs });
  model.on('error', () => undefined); // 'close' follows; the pending operation rejects
  return { model, release: () => model.close().catch(() => undefined) };
}
