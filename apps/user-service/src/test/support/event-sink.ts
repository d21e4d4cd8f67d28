import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { waitFor } from '@platform/testing';

/** A server-named, exclusive queue bound to `exchange` with `bindingKey` (`#`: every event published there), as received. */
export interface EventSink {
  messages: ConsumeMessage[];
  /** The decoded bodies. */
  events(): Array<Record<string, unknown> & { eventId: string; type: string }>;
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openEventSink(url: string, exchange: string, bindingKey = '#'): Promise<EventSink> {
  const model: ChannelModel = await connect(url);
  model.on('error', () => undefined);
  const channel = await model.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, bindingKey);
  const messages: ConsumeMessage[] = [];
  await channel.consume(queue, (message) => message && messages.push(message), { noAck: true });
  return {
    messages,
    events: () => messages.map((message) => JSON.parse(message.content.toString('utf8'))),
    waitForCount: (count, timeoutMs = 10_000) =>
      waitFor(() => messages.length >= count, { timeoutMs, intervalMs: 20, description: `${count} events (have ${messages.length})` }).then(
        () => undefined,
      ),
    close: async () => {
      await model.close().catch(() => undefined);
    },
  };
}
