import type { Channel } from 'amqplib';

export interface ConsumerTopology {
  queue: string;
  exchange: string;
  routingKeys: readonly string[];
  retryDelaysMs: readonly number[];
}

/** `<queue>.retry.<n>` holds a message for retryDelaysMs[n], then dead-letters it back to `<queue>`. */
export const retryQueueName = (queue: string, index: number): string => `${queue}.retry.${index}`;

export const deadLetterQueueName = (queue: string): string => `${queue}.dlq`;

/**
 * Declares (idempotently) the durable topic exchange, the queue and its bindings, the retry ladder and the
 * DLQ. A retry queue's TTL cannot change once declared (the broker refuses with PRECONDITION_FAILED):
 * changing retryDelaysMs means deleting the empty `<queue>.retry.*` queues first.
 */
export async function declareConsumerTopology(channel: Channel, topology: ConsumerTopology): Promise<void> {
  const { queue, exchange } = topology;
  await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertQueue(queue, { durable: true });
  for (const routingKey of topology.routingKeys) await channel.bindQueue(queue, exchange, routingKey);
  for (const [index, delayMs] of topology.retryDelaysMs.entries()) {
    await channel.assertQueue(retryQueueName(queue, index), {
      durable: true,
      arguments: {
        'x-message-ttl': delayMs,
        // The default exchange routes by queue name, so only this queue gets the message back.
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queue,
      },
    });
  }
  await channel.assertQueue(deadLetterQueueName(queue), { durable: true });
}
