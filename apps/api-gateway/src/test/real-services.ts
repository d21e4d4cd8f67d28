import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createTestDatabase,
  createTestVhost,
  freePort,
  migrateDatabase,
  type RunningProcess,
  startProcess,
  startTestSmtpServer,
  type TestDatabase,
  type TestSmtpServer,
  type TestVhost,
  workspaceRoot,
} from '@platform/testing';

/** What the test workers get (through the environment) to reach the real services of this run. */
export const REAL_SERVICES_ENV = {
  userServiceUrl: 'GATEWAY_TEST_USER_SERVICE_URL',
  notificationServiceUrl: 'GATEWAY_TEST_NOTIFICATION_SERVICE_URL',
  adminEmail: 'GATEWAY_TEST_ADMIN_EMAIL',
  adminPassword: 'GATEWAY_TEST_ADMIN_PASSWORD',
} as const;

export interface RealServices {
  userServiceUrl: string;
  notificationServiceUrl: string;
  admin: { email: string; password: string };
  stop(): Promise<void>;
}

function productionBuild(app: string): string {
  const main = path.join(workspaceRoot, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: run \`npx nx build ${app}\` (api-gateway's test target depends on it)`);
  }
  return main;
}

/**
 * user-service and notification-service from their production builds, as real processes on free ports,
 * each with a throwaway database migrated with `prisma migrate deploy`, one throwaway RabbitMQ vhost,
 * a random Redis key prefix and a test SMTP server. Fails (naming the app and its last output) if one does
 * not become ready.
 */
export async function startRealServices(redisKeyPrefix: string): Promise<RealServices> {
  const mains = { users: productionBuild('user-service'), notifications: productionBuild('notification-service') };
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const [usersDb, notificationsDb, vhost, smtp] = await Promise.all([
      createTestDatabase('gateway_test_users'),
      createTestDatabase('gateway_test_notifications'),
      createTestVhost('api-gateway-test'),
      startTestSmtpServer(),
    ]);
    cleanups.push(
      () => usersDb.dispose(),
      () => notificationsDb.dispose(),
      () => vhost.dispose(),
      () => smtp.close(),
    );
    await Promise.all([
      migrateDatabase('user-service', usersDb.url),
      migrateDatabase('notification-service', notificationsDb.url),
    ]);
    return await startProcesses({ mains, usersDb, notificationsDb, vhost, smtp, redisKeyPrefix, cleanups, cleanup });
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function startProcesses(context: {
  mains: { users: string; notifications: string };
  usersDb: TestDatabase;
  notificationsDb: TestDatabase;
  vhost: TestVhost;
  smtp: TestSmtpServer;
  redisKeyPrefix: string;
  cleanups: Array<() => Promise<unknown>>;
  cleanup: () => Promise<void>;
}): Promise<RealServices> {
  const [userPort, notificationPort] = await Promise.all([freePort(), freePort()]);
  const userServiceUrl = `http://127.0.0.1:${userPort}`;
  const notificationServiceUrl = `http://127.0.0.1:${notificationPort}`;
  const admin = {
    email: `admin-${randomBytes(3).toString('hex')}@example.com`,
    password: `Admin-${randomBytes(6).toString('hex')}-Pw9`,
  };
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
  const start = (name: string, main: string, env: Record<string, string>, url: string): Promise<RunningProcess> =>
    startProcess({
      name,
      command: process.execPath,
      args: ['--enable-source-maps', main],
      cwd: workspaceRoot,
      env: { ...common, ...env },
      readyUrl: `${url}/health/ready`,
      readyTimeoutMs: 60_000,
    });

  const users = await start(
    'user-service',
    context.mains.users,
    {
      PORT: String(userPort),
      DATABASE_URL: context.usersDb.url,
      RABBITMQ_URL: context.vhost.url,
      REDIS_KEY_PREFIX: `${context.redisKeyPrefix}user-service:`,
      JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      BCRYPT_COST: '4',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    },
    userServiceUrl,
  );
  context.cleanups.push(() => users.stop());
  const notifications = await start(
    'notification-service',
    context.mains.notifications,
    {
      PORT: String(notificationPort),
      DATABASE_URL: context.notificationsDb.url,
      RABBITMQ_URL: context.vhost.url,
      SMTP_URL: context.smtp.url,
      JWKS_URL: `${userServiceUrl}/.well-known/jwks.json`,
    },
    notificationServiceUrl,
  );
  context.cleanups.push(() => notifications.stop());
  return { userServiceUrl, notificationServiceUrl, admin, stop: context.cleanup };
}

/** In a test worker: the real services the global setup started. */
export function realServices(): Omit<RealServices, 'stop'> {
  const read = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: the api-gateway jest globalSetup starts the real services`);
    return value;
  };
  return {
    userServiceUrl: read(REAL_SERVICES_ENV.userServiceUrl),
    notificationServiceUrl: read(REAL_SERVICES_ENV.notificationServiceUrl),
    admin: { email: read(REAL_SERVICES_ENV.adminEmail), password: read(REAL_SERVICES_ENV.adminPassword) },
  };
}
