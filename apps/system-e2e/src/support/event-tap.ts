import { connect, type Channel, type ChannelModel, type ConsumeMessage, type GetMessage } from 'amqplib';
import { USER_EVENTS_EXCHANGE } from '@platform/event-contracts';

/** notification-service's dead-letter queue (its README: `<CONSUMER_QUEUE>.dlq`). */
export const NOTIFICATION_DLQ = 'notification-service.user-events.dlq';

export interface TappedMessage {
  routingKey: string;
  /** The body as text. */
  content: string;
  /** Message properties and headers, as JSON text (a secret could hide there too). */
  meta: string;
}

function tapped(message: ConsumeMessage | GetMessage): TappedMessage {
  return {
    routingKey: message.fields.routingKey,
    content: message.content.toString('utf8'),
    meta: JSON.stringify(message.properties),
  };
}

/**
 * Our own queue on the system's vhost, bound to every routing key of `user.events`: a copy of every event
 * published while it is open. Opened before the tests act, drained and closed at the end.
 */
export class EventTap {
  readonly messages: TappedMessage[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
  ) {}

  static async open(vhostUrl: string): Promise<EventTap> {
    const connection = await connect(vhostUrl);
    const channel = await connection.createChannel();
    // The exchange exists once user-service has started; checkExchange fails loudly if it does not.
    await channel.checkExchange(USER_EVENTS_EXCHANGE);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, USER_EVENTS_EXCHANGE, '#');
    const tap = new EventTap(connection, channel);
    await channel.consume(
      queue,
      (message) => {
        if (message) tap.messages.push(tapped(message));
      },
      { noAck: true },
    );
    return tap;
  }

  /** Publishes a message to the exchange (e.g. a poison message that must end in the DLQ). */
  async publish(routingKey: string, content: string): Promise<void> {
    this.channel.publish(USER_EVENTS_EXCHANGE, routingKey, Buffer.from(content), { contentType: 'application/json', persistent: true });
    // A round trip to the broker, so the publish was processed before we go on.
    await this.channel.checkExchange(USER_EVENTS_EXCHANGE);
  }

  /** How many messages wait in `queue`. */
  async depth(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Takes every message out of `queue` (gone afterwards: only for throwaway vhosts). */
  async drain(queue: string): Promise<TappedMessage[]> {
    await this.channel.checkQueue(queue);
    const drained: TappedMessage[] = [];
    for (;;) {
      const message = await this.channel.get(queue, { noAck: true });
      if (message === false) return drained;
      drained.push(tapped(message));
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
