import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { withTimeout } from '@platform/resilience';
import { reopenWhileConnected } from './channel-recovery';
import { publishWithConfirm, watchChannelErrors } from './confirm-publisher';
import { errorMessage, type RabbitConnection } from './connection';
import { isPermanentMessageError } from './errors';
import { applicationHeaders, copyOptions, MessagingHeaders, originOf, readAttempt } from './headers';
import { noopLogger } from './logger';
import { deadLetterQueueName, declareConsumerTopology, retryQueueName } from './topology';
import type { ConsumerHooks, InboundMessage, Logger, MessageHandler, MessageHeaders, MessageInfo } from './types';

export interface ReliableConsumerOptions {
  queue: string;
  /** Durable topic exchange the queue is bound to. */
  exchange: string;
  routingKeys: readonly string[];
  handler: MessageHandler;
  /** Unacked messages per consumer, i.e. handlers running at once. Default 20. */
  prefetch?: number;
  /** Delay before retry n+1; one retry queue per entry. Default [1 s, 10 s, 60 s]. */
  retryDelaysMs?: readonly number[];
  /** Attempts including the first; the last delay repeats if it exceeds the ladder. Default: delays + 1. */
  maxAttempts?: number;
  logger?: Logger;
  hooks?: ConsumerHooks;
  /** Confirm timeout for the copies sent to a retry queue or the DLQ. Default 15 s. */
  confirmTimeoutMs?: number;
  /** `x-dead-letter-error` is cut to this many characters. Default 500. */
  maxErrorLength?: number;
  /**
   * Wraps everything done for one message — the handler, the retry or dead-letter copy, their log lines —
   * e.g. to run it in the request context of the message's correlation id.
   */
  runInContext?: <T>(message: InboundMessage, work: () => Promise<T>) => Promise<T>;
}

export const MAX_ATTEMPTS_EXCEEDED = 'MAX_ATTEMPTS_EXCEEDED';

interface Channels {
  consume: Channel;
  /** Retry and DLQ copies go through this one, so the original is acked only after their confirm. */
  publish: ConfirmChannel;
}

type State = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * Consumes `queue` with manual acks. A message whose handler resolves is acked; one whose handler throws
 * goes to the next retry queue (then back to `queue` after its delay) or, after maxAttempts or on a
 * PermanentMessageError, to `<queue>.dlq`. Copies are confirmed before the original is acked, so a crash
 * in between duplicates a message but never loses it: handlers must be idempotent.
 */
export class ReliableConsumer {
  private readonly logger: Logger;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxAttempts: number;
  private readonly stopSignal = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private state: State = 'idle';
  private channels: Channels | undefined;
  private consumerTag: string | undefined;
  private unregister: (() => void) | undefined;

  constructor(
    private readonly connection: RabbitConnection,
    private readonly options: ReliableConsumerOptions,
  ) {
    this.logger = options.logger ?? noopLogger;
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 10_000, 60_000];
    this.maxAttempts = options.maxAttempts ?? this.retryDelaysMs.length + 1;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError('maxAttempts must be an integer >= 1');
    }
    if (this.maxAttempts > 1 && this.retryDelaysMs.length === 0) {
      throw new RangeError('retryDelaysMs needs at least one delay when maxAttempts > 1');
    }
    if (this.retryDelaysMs.some((delay) => !Number.isInteger(delay) || delay < 0)) {
      throw new RangeError('retryDelaysMs must hold non-negative integers');
    }
  }

  /** Declares the topology and consumes on this and every later connection. */
  start(): this {
    if (this.state !== 'idle') throw new Error(`ReliableConsumer for ${this.options.queue} was already started`);
    this.state = 'running';
    this.unregister = this.connection.onConnected((model) => this.subscribe(model));
    return this;
  }

  /** For readiness probes: a consumer is registered with the broker. */
  isConsuming(): boolean {
    return this.consumerTag !== undefined;
  }

  /**
   * Cancels the consumer, waits up to `timeoutMs` for running handlers to finish (and ack), then closes
   * the channels; anything still unacked goes back to the queue.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.stopSignal.abort();
    this.unregister?.();
    const channels = this.channels;
    const consumerTag = this.consumerTag;
    this.consumerTag = undefined;
    if (channels && consumerTag) {
      await channels.consume
        .cancel(consumerTag)
        .catch((error: unknown) =>
          this.logger.warn('Cancelling the consumer failed', { queue: this.options.queue, error: errorMessage(error) }),
        );
    }
    await withTimeout(() => this.drain(), timeoutMs).catch(() =>
      this.logger.warn('Handlers still running at stop; their messages will be redelivered', {
        queue: this.options.queue,
        inFlight: this.inFlight.size,
      }),
    );
    this.channels = undefined;
    if (channels) await closeChannels(channels);
    this.state = 'stopped';
    this.logger.info('Consumer stopped', { queue: this.options.queue });
  }

  private async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async subscribe(model: ChannelModel): Promise<void> {
    if (this.state !== 'running' || this.channels) return;
    const { queue } = this.options;
    const publish = await model.createConfirmChannel();
    let consume: Channel;
    try {
      consume = await model.createChannel();
    } catch (error) {
      await publish.close().catch(() => undefined);
      throw error;
    }
    const channels: Channels = { consume, publish };
    let closed = false;
    const onClose = (): void => {
      closed = true;
      this.onChannelClosed(model, channels);
    };
    watchChannelErrors(consume, this.logger, 'consumer');
    watchChannelErrors(publish, this.logger, 'consumer republish');
    consume.once('close', onClose);
    publish.once('close', onClose);
    try {
      await consume.prefetch(this.options.prefetch ?? 20);
      await declareConsumerTopology(consume, {
        queue,
        exchange: this.options.exchange,
        routingKeys: this.options.routingKeys,
        retryDelaysMs: this.retryDelaysMs,
      });
      const { consumerTag } = await consume.consume(queue, (message) => this.onDelivery(message, channels), {
        noAck: false,
      });
      // A close in the same network read as the consume-ok fires before this line runs.
      if (closed) throw new Error(`Channel closed while subscribing to ${queue}`);
      if (this.state !== 'running') {
        await closeChannels(channels);
        return;
      }
      this.channels = channels;
      this.consumerTag = consumerTag;
    } catch (error) {
      await closeChannels(channels);
      throw error;
    }
    this.logger.info('Consuming', { queue, exchange: this.options.exchange, routingKeys: this.options.routingKeys });
  }

  private onChannelClosed(model: ChannelModel, channels: Channels): void {
    if (this.channels !== channels) return; // not subscribed yet: subscribe() reports the failure
    this.channels = undefined;
    this.consumerTag = undefined;
    void closeChannels(channels);
    if (this.state !== 'running') return;
    void reopenWhileConnected(
      this.connection,
      model,
      () => this.subscribe(model),
      this.stopSignal.signal,
      this.logger,
      `consumer ${this.options.queue}`,
    );
  }

  private onDelivery(message: ConsumeMessage | null, channels: Channels): void {
    if (message === null) {
      // The broker cancelled us (e.g. the queue was deleted): start over, which re-declares the queue.
      this.logger.warn('The broker cancelled the consumer', { queue: this.options.queue });
      if (this.channels === channels) this.consumerTag = undefined;
      void closeChannels(channels);
      return;
    }
    if (this.state !== 'running') {
      // Arrived between stop() and the cancel's reply: hand it back untouched.
      settle(() => channels.consume.nack(message, false, true), this.logger);
      return;
    }
    const task = this.process(message, channels)
      .catch((error: unknown) => this.logger.error('Message processing failed', { queue: this.options.queue, error: errorMessage(error) }))
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async process(message: ConsumeMessage, channels: Channels): Promise<void> {
    const origin = originOf(message, this.options.queue);
    const headers = message.properties.headers as MessageHeaders | undefined;
    const inbound: InboundMessage = {
      body: message.content,
      routingKey: origin.routingKey,
      exchange: origin.exchange,
      messageId: message.properties.messageId,
      correlationId: message.properties.correlationId,
      contentType: message.properties.contentType,
      type: message.properties.type,
      headers: applicationHeaders(headers),
      attempt: readAttempt(message, this.options.queue),
      redelivered: message.fields.redelivered,
    };
    const info: MessageInfo = {
      queue: this.options.queue,
      messageId: inbound.messageId,
      routingKey: inbound.routingKey,
      attempt: inbound.attempt,
    };
    const work = async (): Promise<void> => {
      const startedAt = performance.now();
      try {
        await this.options.handler(inbound);
      } catch (error) {
        await this.onHandlerError(message, channels, inbound, info, error);
        return;
      }
      if (!settle(() => channels.consume.ack(message), this.logger)) return;
      this.hook('onProcessed', () => this.options.hooks?.onProcessed?.({ ...info, durationMs: performance.now() - startedAt }));
    };
    await (this.options.runInContext ? this.options.runInContext(inbound, work) : work());
  }

  private async onHandlerError(
    message: ConsumeMessage,
    channels: Channels,
    inbound: InboundMessage,
    info: MessageInfo,
    error: unknown,
  ): Promise<void> {
    const permanent = isPermanentMessageError(error);
    if (!permanent && inbound.attempt < this.maxAttempts) {
      const index = Math.min(inbound.attempt - 1, this.retryDelaysMs.length - 1);
      const retryQueue = retryQueueName(this.options.queue, index);
      const headers: MessageHeaders = {
        ...inbound.headers,
        [MessagingHeaders.attempt]: inbound.attempt + 1,
        [MessagingHeaders.originalExchange]: inbound.exchange,
        [MessagingHeaders.originalRoutingKey]: inbound.routingKey,
      };
      if (!(await this.forward(message, channels, retryQueue, headers))) return;
      const delayMs = this.retryDelaysMs[index] ?? 0;
      this.logger.warn('Message handler failed; retrying later', { ...info, retryQueue, delayMs, error: errorMessage(error) });
      this.hook('onRetried', () => this.options.hooks?.onRetried?.({ ...info, error, retryQueue, delayMs }));
      return;
    }
    const reason = permanent ? error.reason : MAX_ATTEMPTS_EXCEEDED;
    const headers: MessageHeaders = {
      ...inbound.headers,
      [MessagingHeaders.deadLetterReason]: reason,
      [MessagingHeaders.deadLetterError]: truncate(describeError(error), this.options.maxErrorLength ?? 500),
      [MessagingHeaders.attempts]: inbound.attempt,
      [MessagingHeaders.originalExchange]: inbound.exchange,
      [MessagingHeaders.originalRoutingKey]: inbound.routingKey,
      [MessagingHeaders.deadLetteredAt]: new Date().toISOString(),
    };
    if (!(await this.forward(message, channels, deadLetterQueueName(this.options.queue), headers))) return;
    this.logger.error('Message dead-lettered', { ...info, reason, error: errorMessage(error) });
    this.hook('onDeadLettered', () => this.options.hooks?.onDeadLettered?.({ ...info, error, reason }));
  }

  /** Copies the message to `queue` (default exchange), waits for the confirm, then acks the original. */
  private async forward(message: ConsumeMessage, channels: Channels, queue: string, headers: MessageHeaders): Promise<boolean> {
    try {
      await publishWithConfirm(
        channels.publish,
        '',
        queue,
        message.content,
        copyOptions(message, headers),
        this.options.confirmTimeoutMs ?? 15_000,
      );
    } catch (error) {
      this.logger.error('Could not move the message; returning it to the queue', {
        queue: this.options.queue,
        target: queue,
        messageId: message.properties.messageId,
        error: errorMessage(error),
      });
      settle(() => channels.consume.nack(message, false, true), this.logger);
      return false;
    }
    return settle(() => channels.consume.ack(message), this.logger);
  }

  private hook(name: keyof ConsumerHooks, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.warn(`Consumer hook ${name} threw`, { error: errorMessage(error) });
    }
  }
}

// ack/nack throw once the channel is closed; the broker then redelivers the message anyway.
function settle(action: () => void, logger: Logger): boolean {
  try {
    action();
    return true;
  } catch (error) {
    logger.warn('Could not ack/nack: channel closed; the broker will redeliver', { error: errorMessage(error) });
    return false;
  }
}

async function closeChannels(channels: Channels): Promise<void> {
  await Promise.all([channels.consume.close().catch(() => undefined), channels.publish.close().catch(() => undefined)]);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
