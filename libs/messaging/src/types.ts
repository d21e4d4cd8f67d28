/** The subset of a winston logger this library uses, so apps can pass theirs. */
export interface Logger {
  debug(message: string, meta?: object): void;
  info(message: string, meta?: object): void;
  warn(message: string, meta?: object): void;
  error(message: string, meta?: object): void;
}

/** AMQP header values as amqplib encodes them. */
export type MessageHeaders = Record<string, unknown>;

export interface OutboundMessage {
  exchange: string;
  routingKey: string;
  body: Buffer;
  messageId: string;
  correlationId?: string;
  headers?: MessageHeaders;
  /** Default `application/json`. */
  contentType?: string;
  /** AMQP `type` property, e.g. the event type. */
  type?: string;
}

export interface InboundMessage {
  body: Buffer;
  /** The routing key the message was first published with (also after retries and replays). */
  routingKey: string;
  /** The exchange the message was first published to. */
  exchange: string;
  messageId: string | undefined;
  correlationId: string | undefined;
  contentType: string | undefined;
  type: string | undefined;
  /** Application headers; this library's bookkeeping headers (x-attempt, x-death, ...) are removed. */
  headers: MessageHeaders;
  /** 1 for the first delivery, n for the n-th try through the retry ladder. */
  attempt: number;
  /** The broker redelivered it (a consumer died or a channel closed before the ack). */
  redelivered: boolean;
}

export type MessageHandler = (message: InboundMessage) => Promise<void>;

export interface MessageInfo {
  queue: string;
  messageId: string | undefined;
  routingKey: string;
  attempt: number;
}

export interface ConsumerHooks {
  onProcessed?(info: MessageInfo & { durationMs: number }): void;
  onRetried?(info: MessageInfo & { error: unknown; retryQueue: string; delayMs: number }): void;
  onDeadLettered?(info: MessageInfo & { error: unknown; reason: string }): void;
}

export interface ReplayedMessage {
  messageId: string | undefined;
  routingKey: string | undefined;
  reason: string | undefined;
  attempts: number | undefined;
  deadLetteredAt: string | undefined;
}

export interface ReplayReport {
  queue: string;
  deadLetterQueue: string;
  dryRun: boolean;
  /** Messages in the DLQ when the replay started. */
  found: number;
  /** Listed (dry run) or moved back to the queue. */
  count: number;
  messages: ReplayedMessage[];
}
