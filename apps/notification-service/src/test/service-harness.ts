import { connect, type Channel, type ConfirmChannel, type ChannelModel } from 'amqplib';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import winston from 'winston';
import { routingKeyOfEvent, USER_EVENTS_EXCHANGE, type UserEvent, userEventFixtures } from '@platform/event-contracts';
import { createLogger } from '@platform/service-runtime';
import { Result } from '@platform/shared-kernel';
import {
  cloneTestDatabase,
  createTestVhost,
  startTestSmtpServer,
  type TestDatabase,
  type TestSmtpServer,
  type TestVhost,
  waitFor,
} from '@platform/testing';
import { buildNotificationService, type NotificationService, type NotificationServiceOptions } from '../app';
import { parseNotificationServiceConfig } from '../infrastructure/config';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through jest.config.cjs (its globalSetup sets it)`);
  return value;
}

/** A fresh database with the migrated schema: a copy of the run's database (globalSetup), made in ~0.1 s. */
export function cloneRunDatabase(): Promise<TestDatabase> {
  return cloneTestDatabase(requiredEnv('TEST_DATABASE_NAME'));
}

/** A contract-valid event like the fixture, about a brand-new user (fresh ids, unique addresses). */
export function freshEvent<K extends keyof typeof userEventFixtures>(
  kind: K,
  overrides: { userId?: string; name?: string; correlationId?: string } = {},
): (typeof userEventFixtures)[K] {
  const fixture = userEventFixtures[kind];
  const userId = overrides.userId ?? globalThis.crypto.randomUUID();
  const tag = userId.slice(0, 8);
  const payload: Record<string, unknown> = { ...fixture.payload, userId, email: `ada.${tag}@example.com` };
  if ('previousEmail' in payload) payload['previousEmail'] = `old.${tag}@example.com`;
  if (overrides.name) payload['name'] = overrides.name;
  return {
    ...fixture,
    eventId: globalThis.crypto.randomUUID(),
    aggregateId: userId,
    correlationId: overrides.correlationId ?? `req-${tag}`,
    occurredAt: new Date().toISOString(),
    payload,
  } as (typeof userEventFixtures)[K];
}

/** Publishes like user-service's relay does: persistent, confirmed, messageId = eventId. */
export class TestPublisher {
  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
    /** A plain channel for looking at queues. */
    readonly inspector: Channel,
  ) {}

  static async open(url: string): Promise<TestPublisher> {
    const model = await connect(url);
    model.on('error', () => undefined);
    const channel = await model.createConfirmChannel();
    await channel.assertExchange(USER_EVENTS_EXCHANGE, 'topic', { durable: true });
    const inspector = await model.createChannel();
    return new TestPublisher(model, channel, inspector);
  }

  async publishEvent(event: UserEvent): Promise<void> {
    await this.publishRaw(String(routingKeyOfEvent(event)), Buffer.from(JSON.stringify(event)), event.eventId, event.correlationId);
  }

  async publishRaw(
    routingKey: string,
    body: Buffer,
    messageId: string,
    correlationId?: string,
    headers?: Record<string, unknown>,
  ): Promise<void> {
    this.channel.publish(USER_EVENTS_EXCHANGE, routingKey, body, {
      persistent: true,
      messageId,
      contentType: 'application/json',
      ...(correlationId ? { correlationId } : {}),
      ...(headers ? { headers } : {}),
    });
    await this.channel.waitForConfirms();
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.inspector.checkQueue(queue)).messageCount;
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}

/** A real winston logger whose JSON lines the test can read. */
export function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({
    service: 'notification-service',
    level: 'debug',
    pretty: false,
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export interface TestServiceOptions extends Pick<NotificationServiceOptions, 'decorateInbox'> {
  /** Config variables over the test defaults (fast retries, real SMTP server, own database and vhost). */
  env?: Record<string, string>;
  /** Use the run's shared vhost instead of a private one (tests that never disturb the broker). */
  sharedVhost?: boolean;
}

export interface TestService {
  service: NotificationService;
  smtp: TestSmtpServer;
  vhost: Pick<TestVhost, 'vhost' | 'url'>;
  databaseUrl: string;
  publisher: TestPublisher;
  logs: () => Array<Record<string, unknown>>;
  queue: string;
  stop(): Promise<void>;
}

/**
 * The composed service (buildNotificationService) on its own database (a copy of the migrated one), its
 * own vhost, and a real SMTP server, with retry delays short enough for tests. Started and consuming.
 */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const [database, vhost, smtp] = await Promise.all([
    cloneRunDatabase(),
    options.sharedVhost
      ? { vhost: requiredEnv('TEST_RABBITMQ_VHOST'), url: requiredEnv('TEST_RABBITMQ_URL'), dispose: async () => undefined }
      : createTestVhost('notification-service'),
    startTestSmtpServer(),
  ]);
  const config = Result.unwrap(
    parseNotificationServiceConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '5',
      RABBITMQ_URL: vhost.url,
      RABBITMQ_RECONNECT_BASE_DELAY_MS: '100',
      RABBITMQ_RECONNECT_MAX_DELAY_MS: '500',
      SMTP_URL: smtp.url,
      CONSUMER_MAX_ATTEMPTS: '3',
      CONSUMER_RETRY_DELAYS_MS: '100,200',
      SENDER_POLL_INTERVAL_MS: '100',
      SENDER_RETRY_BASE_DELAY_MS: '100',
      SENDER_RETRY_MAX_DELAY_MS: '200',
      ...options.env,
    }),
  );
  const { logger, lines } = capturingLogger();
  const service = buildNotificationService(config, { logger, decorateInbox: options.decorateInbox });
  service.start();
  await waitFor(() => service.consumer.isConsuming(), { timeoutMs: 15_000, description: 'the consumer to subscribe' });
  const publisher = await TestPublisher.open(vhost.url);
  return {
    service,
    smtp,
    vhost,
    databaseUrl: database.url,
    publisher,
    logs: lines,
    queue: config.CONSUMER_QUEUE,
    async stop() {
      await publisher.close();
      await service.stop();
      await smtp.close();
      await Promise.allSettled([database.dispose(), vhost.dispose()]);
    },
  };
}

/** Rows of the service's database, read independently of the code under test. */
export async function queryDatabase<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
