import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { requireInfrastructure } from './infrastructure';
import { freePort } from './network';
import { createTestDatabase, type TestDatabase } from './postgres';
import { startProcess, type RunningProcess, type StartProcessOptions } from './processes';
import { migrateDatabase } from './prisma';
import { createTestVhost, type TestVhost } from './rabbitmq';
import { workspaceRoot } from './workspace';

export type SystemApp = 'user-service' | 'notification-service' | 'api-gateway';

export interface SystemOptions {
  /** Where notification-service sends mail (a test SMTP server's URL). */
  smtpUrl: string;
  /** Extra environment per app (after the defaults, so they win). */
  env?: Partial<Record<SystemApp, Record<string, string>>>;
  /** Prefix of the throwaway databases and vhost. */
  name?: string;
  /** Echo every app's output to stderr, prefixed (debugging). */
  echo?: boolean;
  /** Folder holding `<app>/main.js` for each app (default: the workspace's dist/apps). */
  appsDir?: string;
  /** Which apps to start (default: all three); the others' URLs are still reserved, and `start(app)` starts them later. */
  apps?: readonly SystemApp[];
}

export interface RunningSystem {
  gatewayUrl: string;
  userServiceUrl: string;
  notificationServiceUrl: string;
  /** The gateway's internal port: `/metrics` and `/health/ready` (not exposed publicly). */
  gatewayMetricsUrl: string;
  admin: { email: string; password: string };
  processes: Record<SystemApp, RunningProcess>;
  databases: { users: TestDatabase; notifications: TestDatabase };
  vhost: TestVhost;
  redisKeyPrefix: string;
  /** Every line an app wrote so far, across restarts. */
  logs(app: SystemApp): string[];
  /** Starts an app that was stopped or killed, with the same settings. */
  start(app: SystemApp): Promise<RunningProcess>;
  /** Stops every app and removes the databases and the vhost. */
  stop(): Promise<void>;
}

const APPS: SystemApp[] = ['user-service', 'notification-service', 'api-gateway'];

function mainOf(app: SystemApp, appsDir = path.join(workspaceRoot, 'dist', 'apps')): string {
  const main = path.join(appsDir, app, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npx nx run-many -t build)`);
  return main;
}

/**
 * The whole system as real processes (the production builds in dist/) on free ports, against the local
 * Postgres, Redis and RabbitMQ — but on throwaway databases, a throwaway vhost and a random Redis key
 * prefix, so it never collides with a developer's running system or another test run.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  await requireInfrastructure(['postgres', 'redis', 'rabbitmq']);
  const name = options.name ?? 'system';
  const apps = options.apps ?? APPS;
  // Checked now for the apps started now (a missing build fails at once); the others when they start.
  for (const app of apps) mainOf(app, options.appsDir);
  const [users, notifications, vhost] = await Promise.all([
    createTestDatabase(`${name}_users`),
    createTestDatabase(`${name}_notifications`),
    createTestVhost(name),
  ]);
  await Promise.all([migrateDatabase('user-service', users.url), migrateDatabase('notification-service', notifications.url)]);

  const [userPort, notificationPort, gatewayPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const redisKeyPrefix = `${name}-${randomBytes(4).toString('hex')}:`;
  const admin = { email: `admin-${randomBytes(3).toString('hex')}@example.com`, password: `Admin-${randomBytes(6).toString('hex')}9` };
  const { privateKey } = generateKeyPairSync('ed25519');
  const userServiceUrl = `http://127.0.0.1:${userPort}`;
  const notificationServiceUrl = `http://127.0.0.1:${notificationPort}`;
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };

  const env: Record<SystemApp, Record<string, string>> = {
    'user-service': {
      ...common,
      PORT: String(userPort),
      DATABASE_URL: users.url,
      RABBITMQ_URL: vhost.url,
      REDIS_KEY_PREFIX: `${redisKeyPrefix}user-service:`,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      BCRYPT_COST: '4',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ...options.env?.['user-service'],
    },
    'notification-service': {
      ...common,
      PORT: String(notificationPort),
      DATABASE_URL: notifications.url,
      RABBITMQ_URL: vhost.url,
      SMTP_URL: options.smtpUrl,
      JWKS_URL: `${userServiceUrl}/.well-known/jwks.json`,
      SENDER_POLL_INTERVAL_MS: '200',
      ...options.env?.['notification-service'],
    },
    'api-gateway': {
      ...common,
      PORT: String(gatewayPort),
      METRICS_PORT: String(metricsPort),
      USER_SERVICE_URL: userServiceUrl,
      NOTIFICATION_SERVICE_URL: notificationServiceUrl,
      JWKS_URL: `${userServiceUrl}/.well-known/jwks.json`,
      REDIS_KEY_PREFIX: `${redisKeyPrefix}gateway:`,
      ...options.env?.['api-gateway'],
    },
  };
  const readyUrl: Record<SystemApp, string> = {
    'user-service': `${userServiceUrl}/health/ready`,
    'notification-service': `${notificationServiceUrl}/health/ready`,
    // The gateway's readiness is on its internal port only.
    'api-gateway': `http://127.0.0.1:${metricsPort}/health/ready`,
  };

  const history: Record<SystemApp, string[][]> = { 'user-service': [], 'notification-service': [], 'api-gateway': [] };
  const processes = {} as Record<SystemApp, RunningProcess>;
  const start = async (app: SystemApp): Promise<RunningProcess> => {
    const spec: StartProcessOptions = {
      name: app,
      command: process.execPath,
      args: ['--enable-source-maps', mainOf(app, options.appsDir)],
      env: env[app],
      cwd: path.dirname(mainOf(app, options.appsDir)), // like the image: WORKDIR is the app folder
      readyUrl: readyUrl[app],
      readyTimeoutMs: 60_000,
      echo: options.echo,
    };
    const running = await startProcess(spec);
    history[app].push(running.lines);
    processes[app] = running;
    return running;
  };

  const cleanup = async (): Promise<void> => {
    await Promise.all(APPS.filter((app) => processes[app]).map((app) => processes[app].stop('SIGTERM').catch(() => undefined)));
    await Promise.all([users.dispose(), notifications.dispose(), vhost.dispose()].map((p) => p.catch(() => undefined)));
  };

  try {
    // user-service first: the others fetch its JWKS.
    if (apps.includes('user-service')) await start('user-service');
    await Promise.all(apps.filter((app) => app !== 'user-service').map((app) => start(app)));
  } catch (error) {
    await cleanup();
    throw error;
  }

  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    userServiceUrl,
    notificationServiceUrl,
    gatewayMetricsUrl: `http://127.0.0.1:${metricsPort}`,
    admin,
    processes,
    databases: { users, notifications },
    vhost,
    redisKeyPrefix,
    logs: (app) => history[app].flat(),
    start,
    stop: cleanup,
  };
}
