import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort, type RunningProcess, startProcess, workspaceRoot } from '@platform/testing';
import { createLogger } from '@platform/service-runtime';
import winston from 'winston';
import { buildGateway, type Gateway } from '../app';
import { gatewayConfig } from '../config/gateway-config';
import { createSigningKey, type TestSigningKey } from './test-tokens';

const STUB = path.join(__dirname, 'stubs', 'stub-upstream.ts');

export interface StubUpstream {
  url: string;
  port: number;
  process: RunningProcess;
  /** Requests it answered other than its own health, JWKS, OpenAPI and control endpoints. */
  hits(): Promise<number>;
  /** Connections it reset instead of answering (`x-stub-reset-reused`). */
  resets(): Promise<number>;
  /** Times its `/health/ready` was asked. */
  readinessChecks(): Promise<number>;
  setReadyStatus(status: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StubOptions {
  name: string;
  /** Which OpenAPI document it serves: `users`, `notifications` or none. */
  openapi?: 'users' | 'notifications';
  jwks?: object;
  /** Listen on this port (to bring a killed upstream back where the gateway expects it). */
  port?: number;
}

/** A stub upstream as a real process (see stubs/stub-upstream.ts). */
export async function startStub(options: StubOptions): Promise<StubUpstream> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const running = await startProcess({
    name: options.name,
    command: process.execPath,
    args: ['-r', '@swc-node/register', STUB],
    cwd: workspaceRoot,
    env: {
      PORT: String(port),
      STUB_NAME: options.name,
      STUB_OPENAPI: options.openapi ?? '',
      STUB_JWKS: JSON.stringify(options.jwks ?? { keys: [] }),
    },
    readyUrl: `${url}/health/live`,
  });
  return {
    url,
    port,
    process: running,
    hits: async () => ((await (await fetch(`${url}/__stub/hits`)).json()) as { hits: number }).hits,
    resets: async () => ((await (await fetch(`${url}/__stub/hits`)).json()) as { resets: number }).resets,
    readinessChecks: async () => ((await (await fetch(`${url}/__stub/hits`)).json()) as { readinessChecks: number }).readinessChecks,
    setReadyStatus: async (status) => {
      await fetch(`${url}/__stub/ready/${status}`);
    },
    stop: async () => {
      await running.stop('SIGKILL');
    },
  };
}

/** The Redis key prefix of this test run (set by the global setup) plus a random part per gateway group. */
export function testRedisPrefix(): string {
  return `${process.env['GATEWAY_TEST_REDIS_PREFIX'] ?? 'api-gateway-test:'}${randomBytes(3).toString('hex')}:`;
}

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * A gateway composed in this process (buildGateway) and listening on ephemeral ports, with test-friendly
 * settings; `env` overrides any of them. Requests go over real HTTP to its real server.
 */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const config = gatewayConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: testRedisPrefix(),
    // Limits out of the way unless a test sets them: the rate-limit tests do.
    RATE_LIMIT_MAX: '100000',
    LOGIN_RATE_LIMIT_MAX: '1000',
    LOGIN_ACCOUNT_FREE_ATTEMPTS: '1000',
    LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT: '1000',
    ...env,
  });
  // Quiet unless GATEWAY_TEST_LOGS is set: the tests provoke errors on purpose.
  const logger = createLogger({
    service: 'api-gateway',
    level: process.env['GATEWAY_TEST_LOGS'] ? 'debug' : 'error',
    pretty: false,
    transports: [new winston.transports.Console({ silent: !process.env['GATEWAY_TEST_LOGS'] })],
  });
  const gateway = buildGateway(config, { logger });
  const { port, metricsPort } = await gateway.start();
  return {
    gateway,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    stop: () => gateway.stop(),
  };
}

/** Reads a Prometheus text exposition line's value, e.g. `gateway_upstream_circuit_state{upstream="x"...}`. */
export async function metricValue(metricsUrl: string, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export interface StubbedGateway {
  key: TestSigningKey;
  /** Serves the JWKS of `key` and the `users` OpenAPI document. */
  users: StubUpstream;
  /** Serves the `notifications` OpenAPI document. */
  notifications: StubUpstream;
  gw: RunningGateway;
  /** `Authorization: Bearer <a valid token>`. */
  auth: Record<string, string>;
  stop(): Promise<void>;
}

/** The usual fixture: two stub upstreams (the first one holding the signing keys) and a gateway in front. */
export async function startStubbedGateway(env: Record<string, string> = {}): Promise<StubbedGateway> {
  const key = await createSigningKey();
  const [users, notifications] = await Promise.all([
    startStub({ name: 'users', openapi: 'users', jwks: key.jwks }),
    startStub({ name: 'notifications', openapi: 'notifications' }),
  ]);
  const fixture: StubbedGateway = {
    key,
    users,
    notifications,
    gw: await startGateway({ USER_SERVICE_URL: users.url, NOTIFICATION_SERVICE_URL: notifications.url, ...env }),
    auth: { authorization: `Bearer ${await key.sign({ sub: '5f0c3c1e-8d2a-4b7e-9c41-2a6e1d3b7f90' })}` },
    stop: async () => {
      await fixture.gw.stop();
      // The tests may have replaced a stub (a restarted upstream): stop the current ones.
      await Promise.all([fixture.users.stop(), fixture.notifications.stop()]);
    },
  };
  return fixture;
}
