import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ConfirmPublisher, RabbitConnection } from '@platform/messaging';
import {
  createLogger,
  createRedisClient,
  createServiceApp,
  Health,
  JwtVerifier,
  listen,
  type Logger,
  Metrics,
  pingRedis,
  warnAboutDefaultCredentials,
} from '@platform/service-runtime';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { UserChanges } from './application/user-changes';
import { ActivateUserUseCase } from './application/use-cases/activate-user/activate-user.use-case';
import { DeactivateUserUseCase } from './application/use-cases/deactivate-user/deactivate-user.use-case';
import { DeleteUserUseCase } from './application/use-cases/delete-user/delete-user.use-case';
import { EnsureAdminUseCase } from './application/use-cases/ensure-admin/ensure-admin.use-case';
import { GetUserUseCase } from './application/use-cases/get-user/get-user.use-case';
import { ListUsersUseCase } from './application/use-cases/list-users/list-users.use-case';
import { LoginUseCase } from './application/use-cases/login/login.use-case';
import { RegisterUserUseCase } from './application/use-cases/register-user/register-user.use-case';
import { UpdateUserUseCase } from './application/use-cases/update-user/update-user.use-case';
import type { UserServiceConfig } from './config';
import { RedisUserCache } from './infrastructure/cache/redis-user-cache';
import { OutboxRelay } from './infrastructure/outbox/outbox-relay';
import { createPrismaClient, pingDatabase, type PrismaClient } from './infrastructure/persistence/prisma-client';
import { PrismaUserRepository } from './infrastructure/persistence/prisma-user.repository';
import { BcryptPasswordHasher } from './infrastructure/security/bcrypt-password-hasher';
import { JoseTokenIssuer } from './infrastructure/security/jose-token-issuer';
import { loadSigningKeys } from './infrastructure/security/signing-keys';
import { USER_SERVICE_STATUS_BY_CODE } from './presentation/http/error-status';
import { mountUserServiceHttp, type UserServiceUseCases } from './presentation/http/user-service.routes';

export const SERVICE_NAME = 'user-service';

/** Replaceable parts, for tests. */
export interface UserServiceOverrides {
  logger?: Logger;
}

export interface UserService {
  readonly app: Express;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: Health;
  readonly prisma: PrismaClient;
  readonly redis: Redis;
  readonly rabbit: RabbitConnection;
  readonly relay: OutboxRelay;
  readonly useCases: UserServiceUseCases;
  /** Connects to RabbitMQ (in the background), starts the outbox relay and makes sure the admin exists. */
  start(): Promise<void>;
  /** Starts, then listens on PORT/HOST; resolves with the server once it listens. */
  listen(): Promise<Server>;
  /** What to close, in the order to close it: HTTP server, relay, publisher, RabbitMQ, Redis, Prisma. */
  readonly closers: ReadonlyArray<readonly [name: string, close: () => Promise<void>]>;
  /** Closes everything (the closers, in order). */
  stop(): Promise<void>;
}

/** The composition root: builds user-service's object graph by hand, from config to HTTP app. */
export async function buildUserService(config: UserServiceConfig, overrides: UserServiceOverrides = {}): Promise<UserService> {
  const logger = overrides.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  warnAboutDefaultCredentials(logger, config.NODE_ENV, {
    DATABASE_URL: config.DATABASE_URL,
    RABBITMQ_URL: config.RABBITMQ_URL,
    REDIS_URL: config.REDIS_URL,
  });
  const health = new Health();
  const metrics = new Metrics(SERVICE_NAME);

  const prisma = createPrismaClient({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  const redis = createRedisClient({
    url: config.REDIS_URL,
    logger,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  const rabbit = new RabbitConnection({
    url: config.RABBITMQ_URL,
    logger,
    connectionName: SERVICE_NAME,
    reconnectMaxDelayMs: 5_000,
  });
  const publisher = new ConfirmPublisher(rabbit, { logger, confirmTimeoutMs: config.OUTBOX_CONFIRM_TIMEOUT_MS });
  await publisher.assertTopicExchange(config.USER_EVENTS_EXCHANGE);

  const relay = new OutboxRelay({
    prisma,
    publisher,
    exchange: config.USER_EVENTS_EXCHANGE,
    logger,
    metrics,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    confirmTimeoutMs: config.OUTBOX_CONFIRM_TIMEOUT_MS,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
    retry: { baseDelayMs: config.OUTBOX_RETRY_BASE_DELAY_MS, maxDelayMs: config.OUTBOX_RETRY_MAX_DELAY_MS },
  });
  rabbit.on('connected', () => relay.nudge());
  const users = new PrismaUserRepository(prisma, { afterCommit: () => relay.nudge() });
  const cache = new RedisUserCache(redis, { ttlSeconds: config.CACHE_TTL_SECONDS, logger, metrics });
  const passwords = new BcryptPasswordHasher(config.BCRYPT_COST, {
    maxConcurrent: config.BCRYPT_MAX_CONCURRENT,
    maxQueued: config.BCRYPT_MAX_QUEUED,
  });
  const keys = await loadSigningKeys({
    privateKeyPem: config.JWT_PRIVATE_KEY,
    keyId: config.JWT_KEY_ID,
    previousPublicKeys: config.JWT_PREVIOUS_PUBLIC_KEYS,
    logger,
  });
  const tokens = new JoseTokenIssuer(keys, {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  // The service checks bearer tokens itself, with its own public keys (no JWKS round trip).
  const verifier = new JwtVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    key: keys.verificationKey,
    cacheSize: 10_000,
    // Its own tokens never live longer than this.
    maxTokenAgeSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });

  const changes = new UserChanges({ users, cache });
  const registerUser = new RegisterUserUseCase({ users, passwords });
  const useCases: UserServiceUseCases = {
    registerUser,
    login: new LoginUseCase({ users, passwords, tokens }),
    getUser: new GetUserUseCase({ users, cache }),
    listUsers: new ListUsersUseCase({ users }),
    updateUser: new UpdateUserUseCase({ users, changes }),
    activateUser: new ActivateUserUseCase({ changes }),
    deactivateUser: new DeactivateUserUseCase({ changes }),
    deleteUser: new DeleteUserUseCase({ changes }),
  };
  const ensureAdmin = new EnsureAdminUseCase({ users, registration: registerUser });

  const app = createServiceApp({
    logger,
    health,
    metrics,
    // No app-wide body parser: the routes that take a body parse it (strict JSON, BODY_LIMIT), reads skip it.
    statusByCode: USER_SERVICE_STATUS_BY_CODE,
    // One line per request only where it would be written at all (LOG_LEVEL info or debug).
    accessLog: logger.isLevelEnabled('info'),
    routes: (express) => mountUserServiceHttp(express, { useCases, verifier, jwks: keys.jwks, bodyLimit: config.BODY_LIMIT }),
  });

  health.register('postgres', () => pingDatabase(prisma), { critical: true });
  // Not critical: writes still succeed (the outbox keeps the events) and reads fall back to the database.
  health.register(
    'rabbitmq',
    async () => {
      if (!rabbit.isConnected()) throw new Error(`Not connected to ${rabbit.redactedUrl}`);
    },
    { critical: false },
  );
  health.register('redis', () => pingRedis(redis), { critical: false });

  let server: Server | undefined;
  const closers: Array<readonly [string, () => Promise<void>]> = [
    ['http', () => closeServer(server)],
    ['outbox-relay', () => relay.stop()],
    ['publisher', () => publisher.close()],
    ['rabbitmq', () => rabbit.close()],
    ['redis', async () => void (await redis.quit().catch(() => redis.disconnect()))],
    ['prisma', () => prisma.$disconnect()],
  ];

  async function bootstrapAdmin(): Promise<void> {
    if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return;
    const outcome = await ensureAdmin.execute({
      email: config.ADMIN_EMAIL,
      password: config.ADMIN_PASSWORD,
      name: config.ADMIN_NAME,
      correlationId: `bootstrap-${randomUUID()}`,
    });
    if (!outcome.ok) {
      // Config error: say which variable, never its value.
      throw new Error(`ADMIN_EMAIL/ADMIN_PASSWORD/ADMIN_NAME rejected: ${outcome.error.message}`);
    }
    if (outcome.value === 'taken') logger.warn('ADMIN_EMAIL belongs to a user who is not an admin; not promoting it');
    else logger.info(outcome.value === 'created' ? 'Admin user created' : 'Admin user exists');
  }

  let started: Promise<void> | undefined;
  const service: UserService = {
    app,
    logger,
    metrics,
    health,
    prisma,
    redis,
    rabbit,
    relay,
    useCases,
    closers,
    start() {
      started ??= (async () => {
        rabbit.start();
        relay.start();
        await Promise.all([bootstrapAdmin(), passwords.warmUp()]);
      })();
      return started;
    },
    async listen() {
      await service.start();
      server = await listen(app, config.PORT, config.HOST);
      logger.info(`${SERVICE_NAME} listening`, { port: config.PORT, host: config.HOST });
      return server;
    },
    async stop() {
      for (const [name, close] of closers) {
        await close().catch((error: unknown) => logger.error('Closer failed', { closer: name, err: error }));
      }
    },
  };
  return service;
}

function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server?.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
