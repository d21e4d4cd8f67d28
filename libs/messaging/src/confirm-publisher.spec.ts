import { createTestVhost, type TestVhost } from '@platform/testing';
import { ConfirmPublisher } from './confirm-publisher';
import { RabbitConnection } from './connection';
import { PublishError } from './errors';
import { destroySocket, drainQueue, messageCount, openInspector, recordingLogger, waitFor } from './test/helpers';

jest.setTimeout(30_000);

const EXCHANGE = 'test.events';

describe('ConfirmPublisher', () => {
  let vhost: TestVhost;
  let connection: RabbitConnection;
  let publisher: ConfirmPublisher;
  let inspector: Awaited<ReturnType<typeof openInspector>>;

  beforeAll(async () => {
    vhost = await createTestVhost('messaging-publisher');
    connection = new RabbitConnection({ url: vhost.url, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 200 });
    publisher = new ConfirmPublisher(connection, { confirmTimeoutMs: 5_000 });
    await publisher.assertTopicExchange(EXCHANGE);
    await connection.start().waitUntilConnected(5_000);
    inspector = await openInspector(vhost.url);
    await inspector.channel.assertQueue('sink', { durable: true });
    await inspector.channel.bindQueue('sink', EXCHANGE, '#');
  });

  afterEach(async () => {
    await inspector.channel.purgeQueue('sink');
  });

  afterAll(async () => {
    await inspector?.close();
    await publisher?.close();
    await connection?.close();
    await vhost?.dispose();
  });

  it('resolves after the confirm; the message arrives persistent with its ids and headers', async () => {
    await publisher.publish({
      exchange: EXCHANGE,
      routingKey: 'user.created.v1',
      body: Buffer.from('{"hello":"world"}'),
      messageId: 'msg-1',
      correlationId: 'corr-1',
      headers: { 'x-tenant': 'acme' },
      type: 'user.created',
    });

    // Confirmed means routed and stored: it is in the queue without any waiting.
    const [message] = await drainQueue(inspector.channel, 'sink');
    expect(message).toBeDefined();
    expect(message?.content.toString()).toBe('{"hello":"world"}');
    expect(message?.fields.routingKey).toBe('user.created.v1');
    expect(message?.properties).toMatchObject({
      deliveryMode: 2,
      messageId: 'msg-1',
      correlationId: 'corr-1',
      contentType: 'application/json',
      type: 'user.created',
      headers: { 'x-tenant': 'acme' },
    });
    expect(typeof message?.properties.timestamp).toBe('number');
  });

  it('rejects with NACKED when the broker refuses the message', async () => {
    await inspector.channel.assertQueue('full', {
      durable: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });
    await inspector.channel.bindQueue('full', EXCHANGE, 'full.#');
    const publishing = publisher.publish({ exchange: EXCHANGE, routingKey: 'full.x', body: Buffer.from('x'), messageId: 'm' });
    await expect(publishing).rejects.toMatchObject({ name: 'PublishError', code: 'NACKED' });
  });

  it('rejects with UNROUTABLE when no queue is bound for the routing key (the broker confirms it anyway), and publishes once one is', async () => {
    const unrouted = { exchange: EXCHANGE, routingKey: 'nobody.listens', body: Buffer.from('lost?'), messageId: 'unrouted-1' };
    // The sink takes '#': use an exchange of its own with no binding yet.
    await publisher.assertTopicExchange('lonely.events');
    const publishing = publisher.publish({ ...unrouted, exchange: 'lonely.events' });
    await expect(publishing).rejects.toMatchObject({ name: 'PublishError', code: 'UNROUTABLE' });
    await expect(publishing).rejects.toThrow('No queue is bound to exchange "lonely.events" for routing key "nobody.listens"');

    // The channel is still usable, and once a queue is bound the same message goes through.
    await inspector.channel.assertQueue('late-consumer', { durable: true });
    await inspector.channel.bindQueue('late-consumer', 'lonely.events', 'nobody.listens');
    await publisher.publish({ ...unrouted, exchange: 'lonely.events' });
    const delivered = await drainQueue(inspector.channel, 'late-consumer');
    expect(delivered.map((message) => message.content.toString())).toEqual(['lost?']);
    await inspector.channel.deleteQueue('late-consumer');
  });

  it('fails exactly the returned publishes among many in flight, also when a message id repeats', async () => {
    await publisher.assertTopicExchange('mixed.events');
    await inspector.channel.assertQueue('mixed', { durable: true });
    await inspector.channel.bindQueue('mixed', 'mixed.events', 'routed.#');
    // Even i: routed; odd i: unroutable. Every message id is used twice, once routed and once not.
    const publishes = Array.from({ length: 400 }, (_, i) =>
      publisher.publish({
        exchange: 'mixed.events',
        routingKey: i % 2 === 0 ? 'routed.x' : 'unrouted.x',
        body: Buffer.from(String(i)),
        messageId: `id-${Math.floor(i / 2)}`,
      }),
    );
    const results = await Promise.allSettled(publishes);
    const outcome = results.map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as PublishError).code));
    expect(outcome).toEqual(Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 'ok' : 'UNROUTABLE')));
    expect(await messageCount(inspector.channel, 'mixed')).toBe(200);
    await inspector.channel.deleteQueue('mixed');
  });

  it('rejects with the broker reason when the channel is closed under it, then publishes again', async () => {
    const publishing = publisher.publish({ exchange: 'no-such-exchange', routingKey: 'a', body: Buffer.from('x'), messageId: 'm' });
    await expect(publishing).rejects.toMatchObject({ code: 'CHANNEL_CLOSED', message: expect.stringContaining('404') });

    await waitFor(() => publisher.isReady(), 5_000, 'the publisher channel to reopen');
    await publisher.publish({ exchange: EXCHANGE, routingKey: 'after.error', body: Buffer.from('ok'), messageId: 'm2' });
    expect(await messageCount(inspector.channel, 'sink')).toBe(1);
  });

  it('rejects fast, without buffering, when not connected', async () => {
    const offline = new RabbitConnection({ url: 'amqp://guest:guest@127.0.0.1:1', reconnectBaseDelayMs: 1_000 });
    const offlinePublisher = new ConfirmPublisher(offline);
    offline.start();
    try {
      const startedAt = Date.now();
      const publishing = offlinePublisher.publish({ exchange: EXCHANGE, routingKey: 'a', body: Buffer.from('x'), messageId: 'm' });
      await expect(publishing).rejects.toBeInstanceOf(PublishError);
      await expect(publishing).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
      expect(Date.now() - startedAt).toBeLessThan(50);
    } finally {
      await offlinePublisher.close();
      await offline.close();
    }
  });

  it('rejects publishes still waiting for their confirm when the connection drops', async () => {
    const own = new RabbitConnection({ url: vhost.url, reconnectBaseDelayMs: 50 });
    const ownPublisher = new ConfirmPublisher(own);
    await own.start().waitUntilConnected(5_000);
    try {
      const publishes = Array.from({ length: 20 }, (_, i) =>
        ownPublisher.publish({ exchange: EXCHANGE, routingKey: 'drop', body: Buffer.alloc(500), messageId: `m${i}` }),
      );
      destroySocket(own);
      const results = await Promise.allSettled(publishes);
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CHANNEL_CLOSED' });

      // It comes back by itself and publishes again.
      await own.waitUntilConnected(5_000);
      await waitFor(() => ownPublisher.isReady(), 5_000, 'publisher ready');
      await ownPublisher.publish({ exchange: EXCHANGE, routingKey: 'back', body: Buffer.from('x'), messageId: 'back' });
    } finally {
      await ownPublisher.close();
      await own.close();
    }
  });

  it('keeps many publishes in flight (10k x 500 B) and waits for drain when the channel buffer is full', async () => {
    const logger = recordingLogger();
    const benchPublisher = new ConfirmPublisher(connection, { logger });
    await waitFor(() => benchPublisher.isReady(), 5_000, 'publisher ready');
    await benchPublisher.assertTopicExchange('bench.events');
    await inspector.channel.assertQueue('bench', { durable: true });
    await inspector.channel.bindQueue('bench', 'bench.events', '#');
    const body = Buffer.alloc(500, 'a');
    const total = 10_000;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        benchPublisher.publish({ exchange: 'bench.events', routingKey: 'bench', body, messageId: `bench-${i}` }),
      ),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    // Reported in the test output; the point of the assertion is that confirms are not serialised.
    console.log(`publish-with-confirm: ${total} x 500 B in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} msg/s`);
    expect(await messageCount(inspector.channel, 'bench')).toBe(total);
    expect(seconds).toBeLessThan(10);
    expect(logger.entries.some((e) => e.message.includes('waiting for drain'))).toBe(true);
    await benchPublisher.close();
    await inspector.channel.deleteQueue('bench');
  });
});
