import { randomBytes } from 'node:crypto';
import { parseConfig } from '@platform/service-runtime';
import { Result } from '@platform/shared-kernel';
import { cloneTestDatabase, type TestDatabase } from '@platform/testing';
import { buildUserService, type UserService } from '../../app';
import { type UserServiceConfig, userServiceConfigSchema } from '../../config';
import { captureLogs, type CapturedLogs } from './capture-logs';
import { testInfrastructure } from './test-infrastructure';

/** This file's own database: a copy of the run's migrated template. */
export function isolatedDatabase(): Promise<TestDatabase> {
  return cloneTestDatabase(testInfrastructure().templateDatabase);
}

/**
 * A config for one test file: the run's vhost and Redis, its own exchange and key prefix (other test files
 * and projects may run at the same time), bcrypt cost 4, quick outbox polling.
 */
export function testConfig(env: Record<string, string | undefined> = {}): UserServiceConfig {
  const infrastructure = testInfrastructure();
  const suffix = randomBytes(4).toString('hex');
  return Result.unwrap(
    Result.mapError(
      parseConfig(userServiceConfigSchema, {
        NODE_ENV: 'test',
        LOG_LEVEL: 'debug',
        BCRYPT_COST: '4',
        RABBITMQ_URL: infrastructure.rabbitmqUrl,
        REDIS_URL: infrastructure.redisUrl,
        REDIS_KEY_PREFIX: `${infrastructure.redisPrefix}${suffix}:`,
        USER_EVENTS_EXCHANGE: `user.events.test.${suffix}`,
        OUTBOX_POLL_INTERVAL_MS: '100',
        ...env,
      }),
      (issues) => new Error(`test config: ${JSON.stringify(issues)}`),
    ),
  );
}

export interface TestService {
  service: UserService;
  config: UserServiceConfig;
  database: TestDatabase;
  logs: CapturedLogs;
  close(): Promise<void>;
}

export const TEST_ADMIN = { email: 'admin@example.com', password: 'Admin-Secret-42' } as const;

/** The composed service on its own database, started (RabbitMQ connected, admin bootstrapped), not listening. */
export async function startTestService(env: Record<string, string | undefined> = {}): Promise<TestService> {
  const database = await isolatedDatabase();
  const logs = captureLogs();
  const config = testConfig({ DATABASE_URL: database.url, ADMIN_EMAIL: TEST_ADMIN.email, ADMIN_PASSWORD: TEST_ADMIN.password, ...env });
  const service = await buildUserService(config, { logger: logs.logger });
  try {
    await service.start();
    await service.rabbit.waitUntilConnected(10_000);
  } catch (error) {
    // A half-started service would keep its connections (and Jest) alive.
    await service.stop();
    await database.dispose();
    throw error;
  }
  return {
    service,
    config,
    database,
    logs,
    close: async () => {
      await service.stop();
      await database.dispose();
    },
  };
}
