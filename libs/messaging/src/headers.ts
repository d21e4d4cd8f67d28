import type { Message, Options } from 'amqplib';
import type { MessageHeaders } from './types';

/** Headers this library writes. Handlers never see them (see `applicationHeaders`). */
export const MessagingHeaders = {
  attempt: 'x-attempt',
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',
  deadLetterReason: 'x-dead-letter-reason',
  deadLetterError: 'x-dead-letter-error',
  attempts: 'x-attempts',
  deadLetteredAt: 'x-dead-lettered-at',
  replayCount: 'x-replay-count',
} as const;

const libraryHeaders = new Set<string>(Object.values(MessagingHeaders));

// Written by the broker when a retry queue's TTL dead-letters a message back to the main queue.
const isBrokerHeader = (name: string): boolean =>
  name === 'x-death' || name.startsWith('x-first-death-') || name.startsWith('x-last-death-');

/** The headers the publisher set, without the retry/dead-letter bookkeeping. */
export function applicationHeaders(headers: MessageHeaders | undefined): MessageHeaders {
  const result: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!libraryHeaders.has(name) && !isBrokerHeader(name)) result[name] = value;
  }
  return result;
}

export function readNumberHeader(headers: MessageHeaders | undefined, name: string): number | undefined {
  const value = Number(headers?.[name]);
  return Number.isFinite(value) ? value : undefined;
}

export function readStringHeader(headers: MessageHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/**
 * Whether this library's bookkeeping headers (`x-original-*`, `x-attempt`) on a message taken from `queue`
 * can be believed: only when the message was addressed to that queue by name through the default exchange,
 * which is how retries come back from `<queue>.retry.<n>` (their dead-letter routing), how copies reach
 * `<queue>.dlq`, and how replays return. A message published to a topic exchange arrives with that exchange
 * in its delivery info, so whoever may publish there cannot pose as a retry: its copies of these headers are
 * ignored (they would otherwise pick the routing key that metrics and handlers see, or skip the retries).
 * Publishing to the default exchange must stay reserved to the services themselves (broker permissions).
 */
export function isOwnCopy(message: Message, queue: string): boolean {
  return message.fields.exchange === '' && message.fields.routingKey === queue;
}

/** The attempt this delivery is (1 for a first delivery, and for any message that is not `isOwnCopy`). */
export function readAttempt(message: Message, queue: string): number {
  if (!isOwnCopy(message, queue)) return 1;
  const attempt = readNumberHeader(message.properties.headers as MessageHeaders | undefined, MessagingHeaders.attempt);
  return attempt !== undefined && attempt >= 1 ? Math.floor(attempt) : 1;
}

/**
 * Where the message was first published. Retries and replays arrive through the default exchange and carry
 * it in `x-original-*`; those headers count only on `isOwnCopy` deliveries.
 */
export function originOf(message: Message, queue: string): { exchange: string; routingKey: string } {
  const headers = isOwnCopy(message, queue) ? (message.properties.headers as MessageHeaders | undefined) : undefined;
  return {
    exchange: readStringHeader(headers, MessagingHeaders.originalExchange) ?? message.fields.exchange,
    routingKey: readStringHeader(headers, MessagingHeaders.originalRoutingKey) ?? message.fields.routingKey,
  };
}

/** Publish options for a copy of `message` that keeps its identity (ids, type, timestamp) and is persistent. */
export function copyOptions(message: Message, headers: MessageHeaders): Options.Publish {
  const p = message.properties;
  const options: Options.Publish = { persistent: true, headers };
  if (p.messageId !== undefined) options.messageId = p.messageId;
  if (p.correlationId !== undefined) options.correlationId = p.correlationId;
  if (p.contentType !== undefined) options.contentType = p.contentType;
  if (p.contentEncoding !== undefined) options.contentEncoding = p.contentEncoding;
  if (p.type !== undefined) options.type = p.type;
  if (p.timestamp !== undefined) options.timestamp = p.timestamp;
  if (p.appId !== undefined) options.appId = p.appId;
  return options;
}
