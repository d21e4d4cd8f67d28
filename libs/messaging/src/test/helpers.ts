import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import type { RabbitConnection } from '../connection';
import type { Logger } from '../types';

export interface LogEntry {
  level: keyof Logger;
  message: string;
  meta?: object;
}

/** A Logger that records entries (and prints nothing), for asserting on logs. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const log =
    (level: keyof Logger) =>
    (message: string, meta?: object): void => {
      entries.push({ level, message, meta });
    };
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A plain amqplib connection for a test's own assertions (independent of the code under test). */
export async function openInspector(url: string): Promise<{ model: ChannelModel; channel: Channel; close(): Promise<void> }> {
  const model = await connect(url);
  model.on('error', () => undefined);
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  return {
    model,
    channel,
    close: async () => {
      await model.close().catch(() => undefined);
    },
  };
}

/** Takes (and acks) every message currently in `queue`. */
export async function drainQueue(channel: Channel, queue: string): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (let message = await channel.get(queue); message; message = await channel.get(queue)) {
    channel.ack(message);
    messages.push(message);
  }
  return messages;
}

export async function messageCount(channel: Channel, queue: string): Promise<number> {
  return (await channel.checkQueue(queue)).messageCount;
}

/** Drops the TCP socket without an AMQP close, like a network failure (amqplib reacts to the error). */
export function destroySocket(connection: RabbitConnection): void {
  const model = connection.current();
  if (!model) throw new Error('destroySocket: not connected');
  (model.connection as unknown as { stream: { destroy(error?: Error): void } }).stream.destroy(new Error('socket destroyed by test'));
}
