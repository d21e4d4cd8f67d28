import {
  createTestDatabase,
  createTestVhost,
  migrateDatabase,
  requireInfrastructure,
  type TestDatabase,
  type TestVhost,
} from '@platform/testing';

export interface GlobalTestResources {
  database: TestDatabase;
  vhost: TestVhost;
}

declare global {
  var notificationServiceTestResources: GlobalTestResources | undefined;
}

/**
 * Once per test run: checks that Postgres and RabbitMQ answer (failing loudly, naming the one that does
 * not), creates a throwaway database migrated with the real `prisma migrate deploy` (stand-in engine) and a
 * throwaway vhost, and hands both to the test workers through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  await requireInfrastructure(['postgres', 'rabbitmq']);
  const database = await createTestDatabase('notification_service_test');
  let vhost: TestVhost;
  try {
    await migrateDatabase('notification-service', database.url);
    vhost = await createTestVhost('notification-service');
  } catch (error) {
    await database.dispose().catch(() => undefined);
    throw error;
  }
  globalThis.notificationServiceTestResources = { database, vhost };
  // Test workers start after this and inherit the environment.
  process.env['TEST_DATABASE_URL'] = database.url;
  process.env['TEST_DATABASE_NAME'] = database.name;
  process.env['TEST_RABBITMQ_URL'] = vhost.url;
  process.env['TEST_RABBITMQ_VHOST'] = vhost.vhost;
}
