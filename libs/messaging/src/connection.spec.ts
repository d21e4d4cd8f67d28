import { once } from 'node:events';
import { TimeoutError } from '@platform/resilience';
import { createTestVhost, type TestVhost } from '@platform/testing';
import { ConfirmPublisher } from './confirm-publisher';
import { RabbitConnection, redactUrl } from './connection';
import { ReliableConsumer } from './reliable-consumer';
import { destroySocket, recordingLogger, waitFor } from './test/helpers';
import type { InboundMessage } from './types';

jest.setTimeout(20_000);

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('amqp://svc:s3cr3t@rabbit:5672/prod?heartbeat=10')).toBe('amqp://svc:***@rabbit:5672/prod?heartbeat=10');
    expect(redactUrl('amqp://rabbit:5672')).toBe('amqp://rabbit:5672');
  });
});

describe('RabbitConnection', () => {
  let vhost: TestVhost;

  beforeAll(async () => {
    vhost = await createTestVhost('messaging-connection');
  });

  afterAll(async () => {
    await vhost?.dispose();
  });

  it('times out waiting for a broker that is not there, and close() stops the retries', async () => {
    const logger = recordingLogger();
    const connection = new RabbitConnection({
      url: 'amqp://svc:topsecret@127.0.0.1:1',
      logger,
      reconnectBaseDelayMs: 20,
      reconnectMaxDelayMs: 40,
    });
    await expect(connection.waitUntilConnected(300)).rejects.toBeInstanceOf(TimeoutError);
    expect(connection.isConnected()).toBe(false);
    await connection.close();
    const attempts = logger.entries.length;
    expect(attempts).toBeGreaterThan(1);
    expect(JSON.stringify(logger.entries)).not.toContain('topsecret');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logger.entries).toHaveLength(attempts);
  });

  it('reconnects after the server closes the connection; publisher and consumer work again unchanged', async () => {
    const logger = recordingLogger();
    const connection = new RabbitConnection({
      url: vhost.url,
      logger,
      connectionName: 'connection-spec',
      reconnectBaseDelayMs: 50,
      reconnectMaxDelayMs: 200,
    });
    const setupRuns: number[] = [];
    connection.onConnected(async () => {
      setupRuns.push(Date.now());
    });
    const publisher = new ConfirmPublisher(connection);
    await publisher.assertTopicExchange('user.events');
    const received: InboundMessage[] = [];
    const consumer = new ReliableConsumer(connection, {
      queue: 'notification-service.user-events',
      exchange: 'user.events',
      routingKeys: ['user.created.v1'],
      handler: async (message) => {
        received.push(message);
      },
      retryDelaysMs: [50],
    }).start();
    try {
      await connection.start().waitUntilConnected(5_000);
      await publisher.publish({ exchange: 'user.events', routingKey: 'user.created.v1', body: Buffer.from('{}'), messageId: 'before' });
      await waitFor(() => received.length === 1, 5_000, 'first message');

      const disconnected = once(connection, 'disconnected');
      await vhost.closeConnections('reconnect test');
      await disconnected;
      expect(connection.isConnected()).toBe(false);
      await expect(
        publisher.publish({ exchange: 'user.events', routingKey: 'user.created.v1', body: Buffer.from('{}'), messageId: 'x' }),
      ).rejects.toMatchObject({ code: 'NOT_CONNECTED' });

      await connection.waitUntilConnected(10_000);
      expect(setupRuns).toHaveLength(2);
      expect(consumer.isConsuming()).toBe(true);
      await publisher.publish({ exchange: 'user.events', routingKey: 'user.created.v1', body: Buffer.from('{}'), messageId: 'after' });
      await waitFor(() => received.length === 2, 5_000, 'message after the reconnect');
      expect(received.map((m) => m.messageId)).toEqual(['before', 'after']);

      const logs = JSON.stringify(logger.entries);
      expect(logs).toContain('RabbitMQ disconnected');
      expect(logs).toContain('guest:***@');
      expect(logs).not.toContain('guest:guest');
    } finally {
      await consumer.stop();
      await publisher.close();
      await connection.close();
    }
    expect(connection.isConnected()).toBe(false);
  });

  it('reconnects after the socket drops without an AMQP close', async () => {
    const connection = new RabbitConnection({ url: vhost.url, reconnectBaseDelayMs: 50 });
    let runs = 0;
    connection.onConnected(async (model) => {
      runs++;
      const channel = await model.createChannel();
      await channel.assertQueue('setup-probe', { durable: true });
      await channel.close();
    });
    try {
      await connection.start().waitUntilConnected(5_000);
      const disconnected = once(connection, 'disconnected');
      destroySocket(connection);
      await disconnected;
      await connection.waitUntilConnected(5_000);
      expect(runs).toBe(2);
    } finally {
      await connection.close();
    }
  });

  it('runs a setup registered while connected at once, and again after a reconnect', async () => {
    const connection = new RabbitConnection({ url: vhost.url, reconnectBaseDelayMs: 50 });
    try {
      await connection.start().waitUntilConnected(5_000);
      let runs = 0;
      connection.onConnected(async () => {
        runs++;
      });
      await waitFor(() => runs === 1, 1_000, 'late setup');
      destroySocket(connection);
      await once(connection, 'connected');
      expect(runs).toBe(2);
    } finally {
      await connection.close();
    }
  });

  it('drops and retries the connection when a setup fails', async () => {
    const logger = recordingLogger();
    const connection = new RabbitConnection({ url: vhost.url, logger, reconnectBaseDelayMs: 20 });
    let runs = 0;
    connection.onConnected(async () => {
      runs++;
      if (runs === 1) throw new Error('topology not ready');
    });
    try {
      await connection.start().waitUntilConnected(5_000);
      expect(runs).toBe(2);
      expect(JSON.stringify(logger.entries)).toContain('topology not ready');
    } finally {
      await connection.close();
    }
  });
});
