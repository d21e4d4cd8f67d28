import { AsyncLocalStorage } from 'node:async_hooks';
import { createTestVhost, type TestVhost } from '@platform/testing';
import { ConfirmPublisher } from './confirm-publisher';
import { RabbitConnection } from './connection';
import { PermanentMessageError } from './errors';
import { ReliableConsumer, type ReliableConsumerOptions } from './reliable-consumer';
import { deadLetterQueueName, retryQueueName } from './topology';
import { deferred, drainQueue, messageCount, openInspector, recordingLogger, waitFor } from './test/helpers';
import type { InboundMessage, MessageHandler } from './types';

jest.setTimeout(20_000);

const EXCHANGE = 'user.events';
const RETRY_DELAYS_MS = [50, 100, 200];

describe('ReliableConsumer', () => {
  let vhost: TestVhost;
  let connection: RabbitConnection;
  let publisher: ConfirmPublisher;
  let inspector: Awaited<ReturnType<typeof openInspector>>;
  let consumers: ReliableConsumer[] = [];
  let queueCounter = 0;

  beforeAll(async () => {
    vhost = await createTestVhost('messaging-consumer');
    connection = new RabbitConnection({ url: vhost.url, reconnectBaseDelayMs: 50 });
    publisher = new ConfirmPublisher(connection);
    await publisher.assertTopicExchange(EXCHANGE);
    await connection.start().waitUntilConnected(5_000);
    inspector = await openInspector(vhost.url);
  });

  afterEach(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    consumers = [];
  });

  afterAll(async () => {
    await inspector?.close();
    await publisher?.close();
    await connection?.close();
    await vhost?.dispose();
  });

  /** A consumer on a fresh queue bound to `<queue>.#`, started and consuming. */
  async function startConsumer(handler: MessageHandler, options: Partial<ReliableConsumerOptions> = {}) {
    const queue = `svc-${++queueCounter}.user-events`;
    const events = { processed: [] as unknown[], retried: [] as unknown[], deadLettered: [] as unknown[] };
    const consumer = new ReliableConsumer(connection, {
      queue,
      exchange: EXCHANGE,
      routingKeys: [`${queue}.#`],
      handler,
      prefetch: 10,
      retryDelaysMs: RETRY_DELAYS_MS,
      hooks: {
        onProcessed: (info) => events.processed.push(info),
        onRetried: (info) => events.retried.push(info),
        onDeadLettered: (info) => events.deadLettered.push(info),
      },
      ...options,
    });
    consumers.push(consumer);
    consumer.start();
    await waitFor(() => consumer.isConsuming(), 5_000, 'consumer to consume');
    const publish = (suffix: string, messageId: string, extra: { headers?: Record<string, unknown> } = {}) =>
      publisher.publish({
        exchange: EXCHANGE,
        routingKey: `${queue}.${suffix}`,
        body: Buffer.from(JSON.stringify({ eventId: messageId })),
        messageId,
        correlationId: `corr-${messageId}`,
        ...extra,
      });
    return { consumer, queue, events, publish };
  }

  it('acks a message whose handler resolves', async () => {
    const seen: InboundMessage[] = [];
    const { queue, events, publish } = await startConsumer(async (message) => {
      seen.push(message);
    });

    await publish('created.v1', 'ok-1', { headers: { 'x-tenant': 'acme' } });
    await waitFor(() => events.processed.length === 1, 5_000, 'processed');

    expect(seen[0]).toMatchObject({
      routingKey: `${queue}.created.v1`,
      exchange: EXCHANGE,
      messageId: 'ok-1',
      correlationId: 'corr-ok-1',
      headers: { 'x-tenant': 'acme' },
      attempt: 1,
      redelivered: false,
    });
    expect(JSON.parse(String(seen[0]?.body))).toEqual({ eventId: 'ok-1' });
    await waitFor(async () => (await messageCount(inspector.channel, queue)) === 0, 2_000, 'queue empty');
  });

  it('ignores x-original-* and x-attempt headers on a message published to the exchange (only its own retry copies carry them)', async () => {
    const seen: InboundMessage[] = [];
    const { queue, events, publish } = await startConsumer(async (message) => {
      seen.push(message);
      if (message.attempt < 2) throw new Error('fails once');
    });

    // Anyone who may publish to the exchange could send these: a label of their choice, and "last attempt".
    await publish('created.v1', 'forged-1', {
      headers: { 'x-original-routing-key': 'forged.key.1', 'x-original-exchange': 'forged', 'x-attempt': 99 },
    });
    await waitFor(() => events.processed.length === 1, 5_000, 'processed after one retry');

    expect(seen.map((message) => [message.attempt, message.routingKey, message.exchange])).toEqual([
      [1, `${queue}.created.v1`, EXCHANGE],
      // The retry copy is the consumer's own: its headers are believed, and they carry the true origin.
      [2, `${queue}.created.v1`, EXCHANGE],
    ]);
    expect(events.deadLettered).toEqual([]);
  });

  it('retries a failing handler with growing delays and acks it on attempt 3', async () => {
    const attempts: Array<{ at: number; message: InboundMessage }> = [];
    const { queue, events, publish } = await startConsumer(async (message) => {
      attempts.push({ at: performance.now(), message });
      if (message.attempt < 3) throw new Error('database unavailable');
    });

    await publish('created.v1', 'flaky-1', { headers: { 'x-tenant': 'acme' } });
    await waitFor(() => events.processed.length === 1, 5_000, 'processed');

    expect(attempts.map((a) => a.message.attempt)).toEqual([1, 2, 3]);
    expect(events.retried).toHaveLength(2);
    expect(events.processed[0]).toMatchObject({ attempt: 3, messageId: 'flaky-1' });
    // Every try sees the original routing key, ids and headers, not the retry queue's bookkeeping.
    for (const { message } of attempts) {
      expect(message).toMatchObject({
        routingKey: `${queue}.created.v1`,
        exchange: EXCHANGE,
        messageId: 'flaky-1',
        correlationId: 'corr-flaky-1',
        headers: { 'x-tenant': 'acme' },
      });
    }
    const [t1 = 0, t2 = 0, t3 = 0] = attempts.map((a) => a.at);
    const [firstDelay = 0, secondDelay = 0] = RETRY_DELAYS_MS;
    const firstGap = t2 - t1;
    const secondGap = t3 - t2;
    expect(firstGap).toBeGreaterThanOrEqual(firstDelay - 5);
    expect(secondGap).toBeGreaterThanOrEqual(secondDelay - 5);
    expect(secondGap).toBeGreaterThan(firstGap);
    for (const name of [queue, retryQueueName(queue, 0), retryQueueName(queue, 1), deadLetterQueueName(queue)]) {
      expect(await messageCount(inspector.channel, name)).toBe(0);
    }
  });

  it('dead-letters a message that always fails after maxAttempts, with the why in its headers', async () => {
    let calls = 0;
    const { queue, events, publish } = await startConsumer(
      async () => {
        calls++;
        throw new Error(`SMTP refused ${'x'.repeat(1_000)}`);
      },
      { maxErrorLength: 200 },
    );

    await publish('created.v1', 'doomed-1', { headers: { 'x-tenant': 'acme' } });
    await waitFor(() => events.deadLettered.length === 1, 5_000, 'dead-lettered');

    expect(calls).toBe(RETRY_DELAYS_MS.length + 1);
    expect(events.deadLettered[0]).toMatchObject({ reason: 'MAX_ATTEMPTS_EXCEEDED', attempt: 4 });
    const [dead, ...more] = await drainQueue(inspector.channel, deadLetterQueueName(queue));
    expect(more).toHaveLength(0);
    expect(dead?.content.toString()).toBe(JSON.stringify({ eventId: 'doomed-1' }));
    expect(dead?.properties).toMatchObject({ messageId: 'doomed-1', correlationId: 'corr-doomed-1', deliveryMode: 2 });
    const headers = dead?.properties.headers ?? {};
    expect(headers).toMatchObject({
      'x-tenant': 'acme',
      'x-dead-letter-reason': 'MAX_ATTEMPTS_EXCEEDED',
      'x-attempts': 4,
      'x-original-exchange': EXCHANGE,
      'x-original-routing-key': `${queue}.created.v1`,
    });
    expect(String(headers['x-dead-letter-error'])).toMatch(/^Error: SMTP refused x+…$/);
    expect(String(headers['x-dead-letter-error']).length).toBeLessThanOrEqual(200);
    expect(Date.parse(String(headers['x-dead-lettered-at']))).toBeGreaterThan(Date.now() - 10_000);
    expect(headers).not.toHaveProperty('x-attempt');
    expect(headers).not.toHaveProperty('x-death');
    expect(await messageCount(inspector.channel, queue)).toBe(0);
  });

  it('runs the handler and its dead-letter logging inside runInContext', async () => {
    const context = new AsyncLocalStorage<string>();
    const logger = recordingLogger();
    const contextOfLogs: Array<string | undefined> = [];
    const contextLogger = {
      ...logger,
      error: (message: string, meta?: object) => {
        contextOfLogs.push(context.getStore());
        logger.error(message, meta);
      },
    };
    let contextInHandler: string | undefined;
    const { queue, publish } = await startConsumer(
      async () => {
        contextInHandler = context.getStore();
        throw new PermanentMessageError('CONTRACT_VIOLATION', 'bad');
      },
      {
        logger: contextLogger,
        runInContext: (message, work) => context.run(`ctx-${message.correlationId ?? ''}`, work),
      },
    );
    await publish('created', 'ctx-1');
    await waitFor(async () => (await messageCount(inspector.channel, deadLetterQueueName(queue))) === 1, 5_000, 'the dead letter');
    await waitFor(() => contextOfLogs.length === 1, 5_000, 'the dead-letter log line');
    expect(contextInHandler).toBe('ctx-corr-ctx-1');
    expect(contextOfLogs).toEqual(['ctx-corr-ctx-1']);
  });

  it('sends a PermanentMessageError straight to the DLQ and keeps consuming', async () => {
    const seen: string[] = [];
    const { queue, events, publish } = await startConsumer(async (message) => {
      seen.push(message.messageId ?? '');
      if (message.messageId === 'bad-1') throw new PermanentMessageError('CONTRACT_VIOLATION', 'payload.email: Required');
    });

    await publish('created.v1', 'bad-1');
    await waitFor(() => events.deadLettered.length === 1, 5_000, 'dead-lettered');
    await publish('created.v1', 'good-after-bad');
    await waitFor(() => events.processed.length === 1, 5_000, 'processed after the dead letter');

    expect(seen).toEqual(['bad-1', 'good-after-bad']);
    expect(events.retried).toHaveLength(0);
    const [dead] = await drainQueue(inspector.channel, deadLetterQueueName(queue));
    expect(dead?.properties.headers).toMatchObject({
      'x-dead-letter-reason': 'CONTRACT_VIOLATION',
      'x-dead-letter-error': 'PermanentMessageError: payload.email: Required',
      'x-attempts': 1,
    });
  });

  it('comes back when the broker cancels it (queue deleted under it)', async () => {
    const logger = recordingLogger();
    const { consumer, queue, events, publish } = await startConsumer(async () => undefined, { logger });
    await inspector.channel.deleteQueue(queue);
    await waitFor(() => logger.entries.some((e) => e.message.includes('cancelled')), 2_000, 'consumer cancelled');
    await waitFor(() => consumer.isConsuming(), 5_000, 'consumer back');

    await publish('created.v1', 'after-cancel');
    await waitFor(() => events.processed.length === 1, 5_000, 'processed after the re-subscribe');
  });

  it('stop() waits for an in-flight handler, which still acks', async () => {
    const started = deferred();
    const release = deferred();
    const { consumer, queue, events, publish } = await startConsumer(async () => {
      started.resolve();
      await release.promise;
    });

    await publish('created.v1', 'slow-1');
    await started.promise;
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(stopped).toBe(false);
    expect(consumer.isConsuming()).toBe(false);

    release.resolve();
    await stopping;
    expect(events.processed).toHaveLength(1);
    // Acked before the channel closed: nothing went back to the queue.
    expect(await messageCount(inspector.channel, queue)).toBe(0);
  });
});
