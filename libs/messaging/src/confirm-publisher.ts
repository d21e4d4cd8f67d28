import type { Channel, ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { withTimeout } from '@platform/resilience';
import { reopenWhileConnected } from './channel-recovery';
import { errorMessage, type RabbitConnection } from './connection';
import { PublishError } from './errors';
import { noopLogger } from './logger';
import type { Logger, OutboundMessage } from './types';

export interface ConfirmPublisherOptions {
  logger?: Logger;
  /** A publish not confirmed within this time rejects with code CONFIRM_TIMEOUT. Default 15 s. */
  confirmTimeoutMs?: number;
}

/**
 * Publishes persistent, mandatory messages on a confirm channel; `publish` resolves only once the broker
 * confirmed the message AND routed it to at least one queue. A message no queue is bound for (the consumer
 * has not declared its queue yet) is returned by the broker and rejects with code UNROUTABLE, although the
 * broker confirms it too. Never buffers while disconnected: the caller (e.g. an outbox relay) keeps the
 * message and tries again later.
 */
export class ConfirmPublisher {
  private readonly logger: Logger;
  private readonly confirmTimeoutMs: number;
  private readonly exchanges = new Set<string>();
  private readonly stopSignal = new AbortController();
  private readonly unregister: () => void;
  private channel: ConfirmChannel | undefined;
  private drained: Promise<void> | undefined;

  constructor(
    private readonly connection: RabbitConnection,
    options: ConfirmPublisherOptions = {},
  ) {
    this.logger = options.logger ?? noopLogger;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;
    this.unregister = connection.onConnected((model) => this.open(model));
  }

  /** True while a confirm channel is open. */
  isReady(): boolean {
    return this.channel !== undefined;
  }

  /** Declares a durable topic exchange now (if connected) and again on every reconnect. */
  async assertTopicExchange(name: string): Promise<void> {
    this.exchanges.add(name);
    const model = this.connection.current();
    if (model) await declareExchanges(model, [name]);
  }

  async publish(message: OutboundMessage): Promise<void> {
    if (!Buffer.isBuffer(message.body)) throw new PublishError('INVALID_MESSAGE', 'body must be a Buffer');
    if (!message.messageId) throw new PublishError('INVALID_MESSAGE', 'messageId is required');
    const options: Options.Publish = {
      persistent: true,
      messageId: message.messageId,
      contentType: message.contentType ?? 'application/json',
      timestamp: Math.floor(Date.now() / 1000),
      headers: message.headers ?? {},
      mandatory: true,
    };
    if (message.correlationId !== undefined) options.correlationId = message.correlationId;
    if (message.type !== undefined) options.type = message.type;
    await this.send(message.exchange, message.routingKey, message.body, options);
  }

  /** Waits (bounded by the confirm timeout) for outstanding confirms, then closes the channel. */
  async close(): Promise<void> {
    if (this.stopSignal.signal.aborted) return;
    this.stopSignal.abort();
    this.unregister();
    const channel = this.channel;
    this.channel = undefined;
    if (!channel) return;
    await withTimeout(() => channel.waitForConfirms(), this.confirmTimeoutMs).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }

  private async send(exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
    if (this.stopSignal.signal.aborted) throw new PublishError('PUBLISHER_CLOSED', 'The publisher is closed');
    while (this.drained) await this.drained;
    const channel = this.channel;
    if (!channel) {
      throw new PublishError('NOT_CONNECTED', `Not connected to RabbitMQ (${this.connection.redactedUrl})`);
    }
    await publishWithConfirm(channel, exchange, routingKey, body, options, this.confirmTimeoutMs, () => this.waitForDrain(channel));
  }

  // amqplib has already queued a message when `publish` returns false; later ones wait for 'drain'.
  private waitForDrain(channel: ConfirmChannel): void {
    if (this.drained) return;
    this.logger.debug('Publisher channel buffer full; waiting for drain');
    this.drained = new Promise((resolve) => {
      const finish = (): void => {
        channel.off('drain', finish);
        channel.off('close', finish);
        this.drained = undefined;
        resolve();
      };
      channel.on('drain', finish);
      channel.on('close', finish);
    });
  }

  private async open(model: ChannelModel): Promise<void> {
    if (this.stopSignal.signal.aborted) return;
    await declareExchanges(model, [...this.exchanges]);
    const channel = await model.createConfirmChannel();
    watchChannelErrors(channel, this.logger, 'publisher');
    watchReturns(channel);
    channel.once('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      void reopenWhileConnected(this.connection, model, () => this.open(model), this.stopSignal.signal, this.logger, 'publisher');
    });
    this.channel = channel;
  }
}

/**
 * Publishes on a confirm channel and resolves on the broker's ack. Rejects with a PublishError on nack,
 * channel loss or after `timeoutMs`, and with UNROUTABLE when `options.mandatory` is set and the broker
 * returned the message (the channel must be watched with `watchReturns`). Calls `onBackPressure` when the
 * channel's write buffer is full.
 */
export function publishWithConfirm(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  options: Options.Publish,
  timeoutMs: number,
  onBackPressure?: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const returned = options.mandatory ? expectReturn(channel, returnKey(exchange, routingKey, options.messageId)) : undefined;
    const timer = setTimeout(() => {
      returned?.forget();
      reject(new PublishError('CONFIRM_TIMEOUT', `No publisher confirm within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = (error: unknown): void => {
      clearTimeout(timer);
      returned?.forget();
      if (error) reject(toPublishError(error, lastChannelError.get(channel)));
      else if (returned?.wasReturned()) {
        reject(new PublishError('UNROUTABLE', `No queue is bound to exchange "${exchange}" for routing key "${routingKey}"`));
      } else resolve();
    };
    try {
      const writable = channel.publish(exchange, routingKey, body, options, settle);
      if (!writable) onBackPressure?.();
    } catch (error) {
      settle(
        error instanceof RangeError || error instanceof TypeError
          ? new PublishError('INVALID_MESSAGE', error.message, { cause: error })
          : error,
      );
    }
  });
}

interface ExpectedReturn {
  returned: boolean;
}

/** Mandatory publishes in flight per channel, by exchange, routing key and message id; oldest first. */
const expectedReturns = new WeakMap<object, Map<string, ExpectedReturn[]>>();

const returnKey = (exchange: string, routingKey: string, messageId: unknown): string => JSON.stringify([exchange, routingKey, messageId]);

/**
 * Correlates the broker's basic.return frames with the publishes they belong to. A return carries no
 * delivery tag, only the message: the broker sends it before that message's ack (acks of earlier messages
 * may come later), and returns come in publish order. So a return marks the oldest publish in flight with
 * the same exchange, routing key and message id (publishes that share all three route alike), and that
 * publish's ack then fails it.
 */
export function watchReturns(channel: Channel): void {
  if (expectedReturns.has(channel)) return;
  const byKey = new Map<string, ExpectedReturn[]>();
  expectedReturns.set(channel, byKey);
  channel.on('return', (message: Message) => {
    const waiting = byKey.get(returnKey(message.fields.exchange, message.fields.routingKey, message.properties.messageId));
    const oldest = waiting?.find((entry) => !entry.returned);
    if (oldest) oldest.returned = true;
  });
}

function expectReturn(channel: Channel, key: string): { wasReturned(): boolean; forget(): void } {
  const byMessageId = expectedReturns.get(channel);
  if (!byMessageId) throw new Error('A mandatory publish needs watchReturns(channel) first');
  const entry: ExpectedReturn = { returned: false };
  const waiting = byMessageId.get(key);
  if (waiting) waiting.push(entry);
  else byMessageId.set(key, [entry]);
  let forgotten = false;
  return {
    wasReturned: () => entry.returned,
    forget: () => {
      if (forgotten) return;
      forgotten = true;
      const current = byMessageId.get(key);
      if (!current) return;
      const index = current.indexOf(entry);
      if (index >= 0) current.splice(index, 1);
      if (current.length === 0) byMessageId.delete(key);
    },
  };
}

const lastChannelError = new WeakMap<object, Error>();

/**
 * Logs a channel's errors (an 'error' without listener would crash the process) and remembers the last
 * one, so a publish that fails because the broker closed the channel says why (e.g. 404 no exchange).
 */
export function watchChannelErrors(channel: Channel, logger: Logger, what: string): void {
  channel.on('error', (error: Error) => {
    lastChannelError.set(channel, error);
    logger.warn(`RabbitMQ ${what} channel error`, { error: error.message });
  });
}

function toPublishError(error: unknown, channelError: Error | undefined): PublishError {
  if (error instanceof PublishError) return error;
  const message = errorMessage(error);
  if (message === 'message nacked') {
    return new PublishError('NACKED', 'The broker rejected the message (nack)', { cause: error });
  }
  const why = channelError ? channelError.message : message;
  return new PublishError('CHANNEL_CLOSED', `Channel closed before the confirm: ${why}`, { cause: error });
}

// A separate channel, so a declaration error (e.g. the exchange exists with another type) cannot close the
// confirm channel that has publishes in flight.
async function declareExchanges(model: ChannelModel, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const channel = await model.createChannel();
  channel.on('error', () => undefined); // surfaces as the rejected assertExchange below
  try {
    for (const name of names) await channel.assertExchange(name, 'topic', { durable: true });
  } finally {
    await channel.close().catch(() => undefined);
  }
}
