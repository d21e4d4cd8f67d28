import type { Express } from 'express';
import { RabbitConnection, redactUrl, type ReliableConsumer } from '@platform/messaging';
import {
  createLogger,
  createServiceApp,
  Health,
  JwtVerifier,
  type Logger,
  Metrics,
  warnAboutDefaultCredentials,
} from '@platform/service-runtime';
import {
  type Clock,
  type EventInbox,
  GetNotificationUseCase,
  HandleUserEventUseCase,
  ListNotificationsUseCase,
  type MailSender,
  SendPendingNotificationsUseCase,
} from './application';
import { type NotificationServiceConfig, SERVICE_NAME } from './infrastructure/config';
import { SenderLoop } from './infrastructure/delivery/sender-loop';
import { EmlFileMailSender, SmtpMailSender } from './infrastructure/mail/nodemailer-mail-sender';
import { createUserEventsConsumer } from './infrastructure/messaging/user-events-consumer';
import { NotificationMetrics } from './infrastructure/observability/notification-metrics';
import { BatchingEventInbox } from './infrastructure/persistence/batching-event-inbox';
import { createPrismaClient } from './infrastructure/persistence/prisma-client';
import { PrismaNotificationRepository } from './infrastructure/persistence/prisma-notification-repository';
import { buildOpenApiDocument } from './presentation/openapi';
import { NOTIFICATION_STATUS_BY_CODE, notificationsRouter } from './presentation/notifications.router';

export interface NotificationServiceOptions {
  logger?: Logger;
  clock?: Clock;
  /** Wraps the inbox unit of work, e.g. so a test can make it fail like a database that is down. */
  decorateInbox?: (inbox: EventInbox) => EventInbox;
}

export interface NotificationService {
  readonly app: Express;
  readonly config: NotificationServiceConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Readiness; graceful shutdown turns it to 503 first. */
  readonly health: Health;
  readonly connection: RabbitConnection;
  readonly consumer: ReliableConsumer;
  readonly senderLoop: SenderLoop;
  /** Where mails go, for the start-up log line (no password). */
  readonly mailDestination: string;
  /** Connects to RabbitMQ (in the background, retrying), consumes, and starts the sender loop. */
  start(): void;
  /** The shutdown steps in order: consumer (waits for in-flight messages), sender, mail, RabbitMQ, Postgres. */
  readonly shutdownSteps: ReadonlyArray<{ name: string; close: () => Promise<void> }>;
  /** Runs every shutdown step in order. */
  stop(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

function createMailSender(config: NotificationServiceConfig): { sender: MailSender & { close(): void }; destination: string } {
  if (config.SMTP_URL) {
    return { sender: new SmtpMailSender(config.SMTP_URL, config.MAIL_FROM), destination: `SMTP ${redactUrl(config.SMTP_URL)}` };
  }
  return {
    sender: new EmlFileMailSender(config.MAIL_OUTBOX_DIR, config.MAIL_FROM),
    destination: `.eml files in ${config.MAIL_OUTBOX_DIR} (SMTP_URL is not set)`,
  };
}

/** The composition root, hand-wired: every object of the service and how it starts and stops. */
export function buildNotificationService(config: NotificationServiceConfig, options: NotificationServiceOptions = {}): NotificationService {
  const logger = options.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  warnAboutDefaultCredentials(logger, config.NODE_ENV, { DATABASE_URL: config.DATABASE_URL, RABBITMQ_URL: config.RABBITMQ_URL });
  const clock = options.clock ?? systemClock;

  // Infrastructure
  const prisma = createPrismaClient({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  const repository = new PrismaNotificationRepository(prisma);
  const batchingInbox = new BatchingEventInbox(repository, config.CONSUMER_PREFETCH);
  const inbox = options.decorateInbox ? options.decorateInbox(batchingInbox) : batchingInbox;
  const mail = createMailSender(config);
  const connection = new RabbitConnection({
    url: config.RABBITMQ_URL,
    logger,
    connectionName: SERVICE_NAME,
    reconnectBaseDelayMs: config.RABBITMQ_RECONNECT_BASE_DELAY_MS,
    reconnectMaxDelayMs: config.RABBITMQ_RECONNECT_MAX_DELAY_MS,
  });
  const metrics = new Metrics(SERVICE_NAME);
  const notificationMetrics = new NotificationMetrics(metrics.registry, () => repository.countPending());

  // Application
  const handleUserEvent = new HandleUserEventUseCase({ inbox, clock });
  const sendPending = new SendPendingNotificationsUseCase({
    repository,
    mailSender: mail.sender,
    clock,
    settings: {
      batchSize: config.SENDER_BATCH_SIZE,
      leaseMs: config.SENDER_LEASE_MS,
      maxAttempts: config.SENDER_MAX_ATTEMPTS,
      baseDelayMs: config.SENDER_RETRY_BASE_DELAY_MS,
      maxDelayMs: config.SENDER_RETRY_MAX_DELAY_MS,
    },
  });

  // Background work
  const senderLoop = new SenderLoop({
    useCase: sendPending,
    batchSize: config.SENDER_BATCH_SIZE,
    pollIntervalMs: config.SENDER_POLL_INTERVAL_MS,
    logger,
    metrics: notificationMetrics,
  });
  const consumer = createUserEventsConsumer({
    connection,
    config,
    handleUserEvent,
    metrics: notificationMetrics,
    logger,
    onNotificationsRecorded: () => senderLoop.wake(),
  });

  // Presentation
  const health = new Health()
    .register('postgres', () => repository.ping())
    .register('rabbitmq', async () => {
      if (!connection.isConnected()) throw new Error(`not connected to ${connection.redactedUrl}`);
      if (!consumer.isConsuming()) throw new Error(`not consuming ${config.CONSUMER_QUEUE}`);
    })
    .register(
      'mail',
      async () => {
        const problem = senderLoop.mailProblem();
        if (problem) throw new Error(`last delivery failed: ${problem}`);
      },
      { critical: false },
    );
  const openApiDocument = buildOpenApiDocument();
  const verifier = new JwtVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwksUrl: config.JWKS_URL,
    cacheSize: 1_000,
    maxTokenAgeSeconds: config.JWT_MAX_TOKEN_AGE_SECONDS,
  });
  const app = createServiceApp({
    logger,
    health,
    metrics,
    statusByCode: NOTIFICATION_STATUS_BY_CODE,
    routes: (router) => {
      router.get('/openapi.json', (_req, res) => {
        res.json(openApiDocument);
      });
      router.use(
        notificationsRouter({
          verifier,
          listNotifications: new ListNotificationsUseCase({ repository }),
          getNotification: new GetNotificationUseCase({ repository }),
        }),
      );
    },
  });

  const shutdownSteps = [
    { name: 'consumer', close: () => consumer.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2)) },
    { name: 'sender', close: () => senderLoop.stop() },
    { name: 'mail', close: async () => mail.sender.close() },
    { name: 'rabbitmq', close: () => connection.close() },
    { name: 'postgres', close: () => prisma.$disconnect() },
  ];

  return {
    app,
    config,
    logger,
    metrics,
    health,
    connection,
    consumer,
    senderLoop,
    mailDestination: mail.destination,
    shutdownSteps,
    start() {
      connection.start();
      consumer.start();
      senderLoop.start();
    },
    async stop() {
      for (const step of shutdownSteps) {
        await step.close().catch((error: unknown) => logger.error('Shutdown step failed', { step: step.name, err: error }));
      }
    },
  };
}
