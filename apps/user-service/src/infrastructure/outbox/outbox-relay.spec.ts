import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { parseUserEventMessage } from '@platform/event-contracts';
import { ConfirmPublisher, RabbitConnection } from '@platform/messaging';
import { Metrics } from '@platform/service-runtime';
import { Result } from '@platform/shared-kernel';
import { type TestDatabase, waitFor } from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { toOutboxMessages } from '../../application/events/integration-events';
import { Email } from '../../domain/user/email';
import { User } from '../../domain/user/user';
import { UserName } from '../../domain/user/user-name';
import { captureLogs } from '../../test/support/capture-logs';
import { type EventSink, openEventSink } from '../../test/support/event-sink';
import { startTcpProxy } from '../../test/support/tcp-proxy';
import { testInfrastructure } from '../../test/support/test-infrastructure';
import { isolatedDatabase } from '../../test/support/test-service';
import { createPrismaClient, type PrismaClient } from '../persistence/prisma-client';
import { messageHeaders, PrismaUserRepository, toOutboxRow } from '../persistence/prisma-user.repository';
import { type ConfirmingPublisher, OutboxRelay, type OutboxRelayOptions } from './outbox-relay';

jest.setTimeout(60_000);

let counter = 0;
const newUser = () =>
  User.register({
    email: Result.unwrap(Email.create(`relay${++counter}@example.com`)),
    name: Result.unwrap(UserName.create(`Relay User ${counter}`)),
    passwordHash: '$2b$04$0123456789012345678901uLzMdPqkH1mR0a8v0PRO0fQ9vR1JkzW',
  });

/** What a relay's publisher did, per event id. */
interface PublishRecord {
  confirmed: string[];
  failed: string[];
  maxInFlight: number;
}

describe('OutboxRelay (real Postgres and RabbitMQ)', () => {
  const infrastructure = testInfrastructure();
  const exchange = `user.events.relay.${randomBytes(4).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [];
  let database: TestDatabase;
  let prisma: PrismaClient;
  let sink: EventSink;

  beforeAll(async () => {
    database = await isolatedDatabase();
    prisma = createPrismaClient({ url: database.url, poolSize: 5 });
    sink = await openEventSink(infrastructure.rabbitmqUrl, exchange);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await prisma.outboxMessage.deleteMany();
    sink.messages.length = 0;
  });

  afterAll(async () => {
    await sink?.close();
    await prisma?.$disconnect();
    await database?.dispose();
  });

  /** Outbox rows as a burst of sign-ups would leave them (written directly: faster than hundreds of saves). */
  async function addPendingRows(count: number): Promise<string[]> {
    const messages = Array.from({ length: count }, () => toOutboxMessages(newUser().pullDomainEvents(), 'req-relay')[0]);
    await prisma.outboxMessage.createMany({ data: messages.map((message) => toOutboxRow(message, messageHeaders('req-relay'))) });
    return messages.map((message) => message.eventId);
  }

  const pendingCount = () => prisma.outboxMessage.count({ where: { publishedAt: null } });

  /** A relay with its own connection pool and broker connection, like one replica; its publishes are recorded. */
  async function startRelay(
    options: {
      url?: string;
      batchSize?: number;
      publishDelayMs?: number;
      onPublish?: (call: number, connection: RabbitConnection) => void;
    } & Partial<Pick<OutboxRelayOptions, 'pollIntervalMs' | 'metrics' | 'logger' | 'exchange' | 'retry'>> = {},
  ) {
    const ownPrisma = createPrismaClient({ url: database.url, poolSize: 3 });
    const connection = new RabbitConnection({
      url: options.url ?? infrastructure.rabbitmqUrl,
      reconnectBaseDelayMs: 50,
      reconnectMaxDelayMs: 300,
    });
    const confirmPublisher = new ConfirmPublisher(connection, { confirmTimeoutMs: 5_000 });
    await confirmPublisher.assertTopicExchange(options.exchange ?? exchange);
    await connection.start().waitUntilConnected(5_000);
    await waitFor(() => confirmPublisher.isReady(), { description: 'publisher channel' });

    const record: PublishRecord = { confirmed: [], failed: [], maxInFlight: 0 };
    let calls = 0;
    let inFlight = 0;
    const publisher: ConfirmingPublisher = {
      isReady: () => confirmPublisher.isReady(),
      publish: async (message) => {
        options.onPublish?.(++calls, connection);
        record.maxInFlight = Math.max(record.maxInFlight, ++inFlight);
        try {
          if (options.publishDelayMs) await new Promise((resolve) => setTimeout(resolve, options.publishDelayMs));
          await confirmPublisher.publish(message);
          record.confirmed.push(message.messageId);
        } catch (error) {
          record.failed.push(message.messageId);
          throw error;
        } finally {
          inFlight--;
        }
      },
    };
    const relay = new OutboxRelay({
      prisma: ownPrisma,
      publisher,
      exchange: options.exchange ?? exchange,
      logger: options.logger ?? captureLogs().logger,
      metrics: options.metrics,
      batchSize: options.batchSize ?? 100,
      pollIntervalMs: options.pollIntervalMs ?? 50,
      confirmTimeoutMs: 5_000,
      circuit: { failureThreshold: 2, resetTimeoutMs: 300 },
      retry: options.retry ?? { baseDelayMs: 100, maxDelayMs: 1_000 },
    });
    cleanups.push(async () => {
      await relay.stop();
      await confirmPublisher.close();
      await connection.close();
      await ownPrisma.$disconnect();
    });
    return { relay, record, connection };
  }

  const receivedIds = () => sink.messages.map((message) => String(message.properties.messageId));
  const countsOf = (ids: string[]) => ids.reduce((counts, id) => counts.set(id, (counts.get(id) ?? 0) + 1), new Map<string, number>());

  it('publishes persistent messages with publisher confirms, ids, correlation id and W3C trace context; marks them sent', async () => {
    // The trace context of the request that made the change travels in the outbox row to the message.
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const users = new PrismaUserRepository(prisma);
    const traced = newUser();
    const untraced = newUser();
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    try {
      await context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => users.save(traced, { correlationId: 'req-traced' }));
      await users.save(untraced, { correlationId: 'req-untraced' });
    } finally {
      propagation.disable();
      context.disable();
    }

    const metrics = new Metrics('user-service-test');
    const { relay } = await startRelay({ metrics });
    relay.start();
    await sink.waitForCount(2);

    const byAggregate = new Map(sink.messages.map((message) => [JSON.parse(message.content.toString()).aggregateId as string, message]));
    const tracedMessage = byAggregate.get(traced.id);
    const untracedMessage = byAggregate.get(untraced.id);
    if (!tracedMessage) throw new Error('the traced event did not arrive');
    expect(tracedMessage.fields.routingKey).toBe('user.created.v1');
    expect(tracedMessage.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      type: 'user.created',
      correlationId: 'req-traced',
      headers: { 'x-correlation-id': 'req-traced', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    const event = Result.unwrap(parseUserEventMessage(tracedMessage.content));
    expect(tracedMessage.properties.messageId).toBe(event.eventId);
    expect(event).toMatchObject({
      type: 'user.created',
      correlationId: 'req-traced',
      aggregateId: traced.id,
      payload: { email: traced.email.value },
    });
    expect(untracedMessage?.properties.headers).toEqual({ 'x-correlation-id': 'req-untraced' });

    await waitFor(async () => (await pendingCount()) === 0, { description: 'rows marked published' });
    const rows = await prisma.outboxMessage.findMany();
    expect(rows.every((row) => row.publishedAt !== null && row.attempts === 1 && row.lastError === null)).toBe(true);
    expect(await metrics.registry.getSingleMetricAsString('outbox_published_total')).toContain(
      'outbox_published_total{service="user-service-test"} 2',
    );
  });

  it('publishes a batch concurrently, and picks new rows up at once when nudged (no waiting for the poll)', async () => {
    await addPendingRows(300);
    const { relay, record } = await startRelay({ batchSize: 150, pollIntervalMs: 60_000 });
    relay.start();
    await sink.waitForCount(300);
    expect(record.maxInFlight).toBeGreaterThan(50);

    const users = new PrismaUserRepository(prisma, { afterCommit: () => relay.nudge() });
    const startedAt = Date.now();
    await users.save(newUser(), { correlationId: 'req-nudge' });
    await sink.waitForCount(301, 10_000);
    // The poll is a minute away: arriving well before it proves the nudge (the bound is loose for busy machines).
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('survives a broker connection drop mid-batch: every row arrives, and no confirmed row is published again', async () => {
    const eventIds = await addPendingRows(2_000);
    // Cut the TCP connection while the 3rd batch is in flight (its 200 publishes issued, none confirmed yet).
    const { relay, record } = await startRelay({
      batchSize: 200,
      onPublish: (call, connection) => {
        if (call === 450) setImmediate(() => destroySocket(connection));
      },
    });
    relay.start();

    await waitFor(async () => (await pendingCount()) === 0, { timeoutMs: 30_000, description: 'every row published' });
    await sink.waitForCount(2_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let any late duplicate arrive before counting

    const received = countsOf(receivedIds());
    expect(record.failed.length).toBeGreaterThan(0); // the drop really hit publishes in flight
    expect(new Set(received.keys())).toEqual(new Set(eventIds)); // nothing lost
    expect(countsOf(record.confirmed).size).toBe(2_000); // every row confirmed once...
    expect(record.confirmed).toHaveLength(2_000); // ...and only once: no confirmed row was published again
    // A row arrives twice only if its first publish was cut before the broker's confirm (at least once;
    // consumers deduplicate by eventId). Every other row arrives exactly once.
    const duplicated = [...received].filter(([, count]) => count > 1).map(([id]) => id);
    expect(duplicated.every((id) => record.failed.includes(id))).toBe(true);
    const failedRows = await prisma.outboxMessage.findMany({ where: { eventId: { in: record.failed } } });
    expect(failedRows.every((row) => row.attempts >= 2 && row.publishedAt !== null)).toBe(true);
  });

  it('two relays on one database never publish the same row: each of 600 rows arrives exactly once', async () => {
    const eventIds = await addPendingRows(600);
    const first = await startRelay({ batchSize: 40, publishDelayMs: 2 });
    const second = await startRelay({ batchSize: 40, publishDelayMs: 2 });
    first.relay.start();
    second.relay.start();

    await waitFor(async () => (await pendingCount()) === 0, { timeoutMs: 30_000, description: 'every row published' });
    await sink.waitForCount(600);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(receivedIds().sort()).toEqual([...eventIds].sort());
    expect(first.record.confirmed.length).toBeGreaterThan(0);
    expect(second.record.confirmed.length).toBeGreaterThan(0);
    expect(first.record.confirmed.length + second.record.confirmed.length).toBe(600);
    expect(first.record.failed.concat(second.record.failed)).toEqual([]);
  });

  it('keeps unroutable rows pending (no queue bound yet) without holding up the others, and publishes them once a queue is bound', async () => {
    // An exchange where only user.created.v1 has a queue: rows with another routing key are unroutable.
    const lonelyExchange = `${exchange}.lonely`;
    const createdOnly = await openEventSink(infrastructure.rabbitmqUrl, lonelyExchange, 'user.created.v1');
    cleanups.push(() => createdOnly.close());
    const unroutableIds = await addPendingRows(150);
    await prisma.outboxMessage.updateMany({ where: { eventId: { in: unroutableIds } }, data: { routingKey: 'user.nobody-listens.v1' } });
    const routableIds = await addPendingRows(30); // written after: behind a head of 150 unroutable rows

    const logs = captureLogs();
    const metrics = new Metrics('user-service-test');
    const { relay } = await startRelay({
      exchange: lonelyExchange,
      batchSize: 50,
      metrics,
      logger: logs.logger,
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    relay.start();

    // The rows behind them go out although the batch size (50) is smaller than the unroutable head (150).
    await createdOnly.waitForCount(30, 15_000);
    expect(createdOnly.messages.map((message) => String(message.properties.messageId)).sort()).toEqual([...routableIds].sort());
    await waitFor(async () => (await prisma.outboxMessage.count({ where: { attempts: { gt: 0 } } })) === 180, {
      timeoutMs: 15_000,
      description: 'every row tried once',
    });
    const unroutable = await prisma.outboxMessage.findMany({ where: { eventId: { in: unroutableIds } } });
    expect(unroutable.every((row) => row.publishedAt === null && row.attempts === 1)).toBe(true);
    expect(unroutable.every((row) => row.lastError?.startsWith('UNROUTABLE: No queue is bound'))).toBe(true);
    expect(unroutable.every((row) => row.nextAttemptAt.getTime() > Date.now() + 30_000)).toBe(true); // backed off
    expect(await metrics.registry.getSingleMetricAsString('outbox_unroutable_total')).toContain(
      'outbox_unroutable_total{routing_key="user.nobody-listens.v1",service="user-service-test"} 150',
    );
    expect(logs.records().filter((record) => String(record['message']).startsWith('Outbox events are unroutable'))).not.toHaveLength(0);
    expect(logs.lines.filter((line) => line.includes('Outbox relay paused'))).toEqual([]); // the circuit stays closed

    // A consumer declares its queue; once the rows are due they are published (nothing was lost).
    const lateConsumer = await openEventSink(infrastructure.rabbitmqUrl, lonelyExchange, 'user.nobody-listens.v1');
    cleanups.push(() => lateConsumer.close());
    await prisma.outboxMessage.updateMany({ where: { publishedAt: null }, data: { nextAttemptAt: new Date() } });
    relay.nudge();
    await lateConsumer.waitForCount(150, 15_000);
    expect(lateConsumer.messages.map((message) => String(message.properties.messageId)).sort()).toEqual([...unroutableIds].sort());
    await waitFor(async () => (await pendingCount()) === 0, { description: 'every row marked published' });
  });

  it('while the broker is away, rows wait (gauges show them) and the circuit opens; it catches up once the broker is back', async () => {
    const broker = new URL(infrastructure.rabbitmqUrl);
    const proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port) || 5672 });
    cleanups.push(() => proxy.stop());
    const viaProxy = new URL(broker);
    viaProxy.port = String(proxy.port);
    const logs = captureLogs();
    const metrics = new Metrics('user-service-test');
    const { relay } = await startRelay({ url: viaProxy.toString(), metrics, logger: logs.logger });
    relay.start();

    await proxy.stop();
    const eventIds = await addPendingRows(50);
    await waitFor(() => logs.lines.some((line) => line.includes('Outbox relay paused')), {
      timeoutMs: 10_000,
      description: 'the circuit to open',
    });
    expect(await pendingCount()).toBe(50);
    const gauges = await metrics.registry.metrics();
    expect(gauges).toMatch(/outbox_pending_messages\{service="user-service-test"\} 50/);
    expect(gauges).toMatch(/outbox_oldest_pending_age_seconds\{service="user-service-test"\} [0-9.]+/);

    await proxy.start();
    await waitFor(async () => (await pendingCount()) === 0, { timeoutMs: 20_000, description: 'the relay to catch up' });
    await sink.waitForCount(50);
    expect(receivedIds().sort()).toEqual([...eventIds].sort());
  });
});

/** Drops the TCP socket without an AMQP close, like a network failure. */
function destroySocket(connection: RabbitConnection): void {
  const model = connection.current() as unknown as { connection: { stream: { destroy(error?: Error): void } } } | undefined;
  model?.connection.stream.destroy(new Error('socket destroyed by test'));
}
