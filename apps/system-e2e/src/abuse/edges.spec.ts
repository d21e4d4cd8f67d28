import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor, workspaceRoot } from '@platform/testing';
import { startAbuseSystem, type AbuseSystem, type TestUser } from '../support/abuse-system';
import { HttpClient } from '../support/http-client';
import { decodeJwt, signEdDsaJwt } from '../support/jwt';

/**
 * The internal edges an attacker probes, against the three production builds: what the public port tells
 * about the topology, which answers a cache may keep, how tokens, numbers, addresses and names are read,
 * and what production says about weak or default credentials.
 */
let env: AbuseSystem;
let ada: TestUser;
let notificationService: HttpClient;
let adaNotificationId: string;

beforeAll(async () => {
  env = await startAbuseSystem({ name: 'e2e_edges' });
  notificationService = new HttpClient(env.system.notificationServiceUrl);
  ada = await env.createUser('ada');
  adaNotificationId = await waitFor(
    async () => {
      const list = await env.gateway.json('GET', '/api/notifications', { token: ada.token });
      return (list.json as { items?: Array<{ id: string }> }).items?.[0]?.id;
    },
    { timeoutMs: 30_000, description: "Ada's welcome notification" },
  );
}, 180_000);

afterAll(async () => {
  notificationService?.close();
  await env?.stop();
});

/** A token signed with the real key, with the claims of Ada's own token changed. */
function forged(changes: Record<string, unknown>): string {
  const { header, payload } = decodeJwt(ada.token);
  return signEdDsaJwt(header, { ...payload, ...changes }, env.signingKey);
}

describe('readiness and documents on the public port', () => {
  it('the public port answers liveness only; the detailed readiness is on the internal port', async () => {
    expect((await env.gateway.json('GET', '/health/live')).status).toBe(200);
    const publicReady = await env.gateway.json('GET', '/health/ready');
    expect(publicReady.status).toBe(404);
    expect(publicReady.text).not.toMatch(/user-service|notification-service|redis/);
    const internal = await fetch(`${env.system.gatewayMetricsUrl}/health/ready`);
    expect(internal.status).toBe(200);
    expect(await internal.json()).toMatchObject({ checks: { 'user-service': { status: 'up' } } });
  });

  it('the merged OpenAPI document names no internal address', async () => {
    const docs = await env.gateway.json('GET', '/docs/openapi.json');
    expect(docs.status).toBe(200);
    expect(docs.text).not.toContain('127.0.0.1');
  });
});

describe('caching', () => {
  it('token and personal-data answers reach the client with Cache-Control: no-store', async () => {
    const admin = env.admin.token;
    const answers = [
      await env.login(ada.email, ada.password),
      await env.gateway.json('GET', '/api/users/me', { token: ada.token }),
      await env.gateway.json('GET', `/api/users/${ada.id}`, { token: ada.token }),
      await env.gateway.json('GET', '/api/users?limit=5', { token: admin }),
      await env.gateway.json('GET', '/api/notifications', { token: ada.token }),
      await env.gateway.json('GET', `/api/notifications/${adaNotificationId}`, { token: ada.token }),
    ];
    expect(answers.map((reply) => [reply.status, reply.headers['cache-control']])).toEqual(
      Array.from({ length: answers.length }, () => [200, 'no-store']),
    );
  });
});

describe('tokens', () => {
  it('the bearer scheme is case-insensitive, through the gateway to both services', async () => {
    for (const path of ['/api/users/me', '/api/notifications']) {
      const reply = await env.gateway.send({ method: 'GET', path, headers: { authorization: `bearer ${ada.token}` } });
      expect([path, reply.status]).toEqual([path, 200]);
    }
  });

  it.each([
    ['issued in the future', () => forged({ iat: Math.floor(Date.now() / 1000) + 3_600, exp: Math.floor(Date.now() / 1000) + 7_200 })],
    [
      'issued two days ago, expiring next year',
      () => forged({ iat: Math.floor(Date.now() / 1000) - 2 * 86_400, exp: Math.floor(Date.now() / 1000) + 365 * 86_400 }),
    ],
    ['with a sub that is not a UUID', () => forged({ sub: "1' OR '1'='1" })],
  ])('a validly signed token %s is 401 at the gateway and at notification-service itself, never 500', async (_label, token) => {
    const atGateway = await env.gateway.json('GET', '/api/notifications', { token: token() });
    expect(atGateway.status).toBe(401);
    const direct = await notificationService.json('GET', '/notifications', { token: token() });
    expect(direct.status).toBe(401);
  });
});

describe('input read one way', () => {
  it.each(['limit=0x10', 'limit=1e2', 'limit=%205', 'limit=5.0', 'limit=%2B5'])(
    'query number %s is a 400 in both services',
    async (query) => {
      expect((await env.gateway.json('GET', `/api/users?${query}`, { token: env.admin.token })).status).toBe(400);
      expect((await env.gateway.json('GET', `/api/notifications?${query}`, { token: ada.token })).status).toBe(400);
    },
  );

  it.each([
    ['a local part of 200 characters', { email: `${'a'.repeat(200)}@example.com`, name: 'Long Local' }],
    ['a right-to-left override in the name', { email: `bidi-${Date.now()}@example.com`, name: 'Ada \u202Egnp.exe' }],
    ['a first-strong isolate in the name', { email: `bidi2-${Date.now()}@example.com`, name: '\u2068Ada' }],
  ])('a sign-up with %s is 400 and sends no mail', async (_label, fields) => {
    const reply = await env.gateway.json('POST', '/api/users', { body: { ...fields, password: 'Correct-horse-battery-9' } });
    expect(reply.status).toBe(400);
    expect(env.smtp.mailsTo(fields.email)).toEqual([]);
  });
});

describe('production credentials', () => {
  it('each app warned once at start about its default infrastructure credentials, naming the setting, never the value', () => {
    const warnings = (app: 'user-service' | 'notification-service' | 'api-gateway') =>
      env.system
        .logs(app)
        .filter((line) => line.includes('set real credentials for production'))
        .map((line) => (JSON.parse(line) as { setting: string }).setting)
        .sort();
    // The test machine's RabbitMQ is guest:guest, its Postgres and Redis have no password.
    expect(warnings('user-service')).toEqual(['DATABASE_URL', 'RABBITMQ_URL', 'REDIS_URL']);
    expect(warnings('notification-service')).toEqual(['DATABASE_URL', 'RABBITMQ_URL']);
    expect(warnings('api-gateway')).toEqual(['REDIS_URL']);
    const allLogs = [...env.system.logs('user-service'), ...env.system.logs('notification-service')].join('\n');
    expect(allLogs).not.toContain('guest:guest');
  });

  it('user-service refuses to start in production with a weak admin password, naming the variable only', async () => {
    const main = path.join(workspaceRoot, 'dist', 'apps', 'user-service', 'main.js');
    const run = promisify(execFile)(process.execPath, [main], {
      cwd: path.dirname(main),
      timeout: 30_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        JWT_PRIVATE_KEY: env.signingKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        ADMIN_EMAIL: 'root@example.com',
        ADMIN_PASSWORD: 'qwertyuiop123',
        PORT: '1',
      },
    });
    const failure = (await run.then(
      () => undefined,
      (error: unknown) => error,
    )) as { code?: number; stderr?: string } | undefined;
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('ADMIN_PASSWORD');
    expect(failure?.stderr).toContain('common password');
    expect(failure?.stderr).not.toContain('qwertyuiop123');
  });
});
