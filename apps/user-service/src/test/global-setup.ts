import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  createTestVhost,
  INFRASTRUCTURE,
  migrateDatabase,
  requireInfrastructure,
  type TestDatabase,
  type TestVhost,
} from '@platform/testing';
import { TEST_ENV } from './support/test-infrastructure';

declare global {
  var userServiceTestRun: { database: TestDatabase; vhost: TestVhost; redisPrefix: string } | undefined;
}

/**
 * Fails loudly when Postgres, Redis or RabbitMQ does not answer (never skips). Then makes this run's own
 * throwaway resources: a migrated template database, a RabbitMQ vhost and a Redis key prefix.
 */
export default async function globalSetup(): Promise<void> {
  await requireInfrastructure(['postgres', 'redis', 'rabbitmq']);
  const database = await createTestDatabase('user_service_test');
  let vhost: TestVhost | undefined;
  try {
    await migrateDatabase('user-service', database.url);
    vhost = await createTestVhost('user-service-test');
  } catch (error) {
    await database.dispose().catch(() => undefined);
    throw error;
  }
  const redisPrefix = `user-service-test:${randomBytes(4).toString('hex')}:`;
  globalThis.userServiceTestRun = { database, vhost, redisPrefix };
  process.env[TEST_ENV.templateDatabase] = database.name;
  process.env[TEST_ENV.rabbitmqUrl] = vhost.url;
  process.env[TEST_ENV.redisUrl] = INFRASTRUCTURE.redis.url;
  process.env[TEST_ENV.redisPrefix] = redisPrefix;
}
