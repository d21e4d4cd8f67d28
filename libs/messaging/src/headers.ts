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

export function readAttempt(headers: MessageHeaders | undefined): number {
  const attempt = readNumberHeader(headers, MessagingHeaders.attempt);
  return attempt !== undefined && attempt >= 1 ? Math.floor(attempt) : 1;
}

/** Where the message was first published: retries and replays arrive through the default exchange. */
export function originOf(message: Message): { exchange: string; routingKey: string } {
  const headers = message.properties.headers as MessageHeaders | undefined;
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
