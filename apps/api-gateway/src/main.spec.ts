import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, type RunningProcess, startProcess, waitFor, workspaceRoot } from '@platform/testing';
import { startStub, type StubUpstream, testRedisPrefix } from './test/gateway-harness';
import { createSigningKey } from './test/test-tokens';

const MAIN = path.join(workspaceRoot, 'dist', 'apps', 'api-gateway', 'main.js');

describe('the production build (dist/apps/api-gateway/main.js) as a real process', () => {
  let users: StubUpstream;
  let gateway: RunningProcess;
  let url: string;
  let metricsUrl: string;
  let token: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx nx build api-gateway\` (the test target depends on it)`);
    const key = await createSigningKey();
    users = await startStub({ name: 'users', openapi: 'users', jwks: key.jwks });
    token = await key.sign();
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    url = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    gateway = await startProcess({
      name: 'api-gateway',
      command: process.execPath,
      args: ['--enable-source-maps', MAIN],
      cwd: workspaceRoot,
      // Only the ports and upstreams differ from the defaults `npx nx serve api-gateway` uses.
      env: {
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        USER_SERVICE_URL: users.url,
        // Nothing listens there: notification-service is down (not critical for readiness).
        NOTIFICATION_SERVICE_URL: 'http://127.0.0.1:9',
        REDIS_KEY_PREFIX: testRedisPrefix(),
        NODE_ENV: 'production',
      },
      readyUrl: `${metricsUrl}/health/ready`,
    });
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await users?.stop();
  });

  it('answers /health/live and proxies with its default settings', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const res = await fetch(`${url}/api/users/u-1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('users');
  });

  it('serves /metrics on METRICS_PORT only', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const metrics = await fetch(`${metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('gateway_upstream_circuit_state');
  });

  it('logs JSON lines with the request id and never the bearer token', () => {
    const lines = gateway.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line['message'] === 'api-gateway listening')).toBeDefined();
    const access = lines.find((line) => line['message'] === 'HTTP request' && line['path'] === '/api/users/u-1');
    expect(access).toMatchObject({ status: 200, requestId: expect.any(String) });
    expect(gateway.lines.join('\n')).not.toContain(token);
  });

  it('logs a failed upstream exchange once, at warn, naming the upstream and the cause, without a stack', async () => {
    const res = await fetch(`${url}/api/notifications`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(502);
    const requestId = res.headers.get('x-request-id');
    const linesOfRequest = (): Array<Record<string, unknown>> =>
      gateway.lines
        .filter((line) => line.includes(`"requestId":"${requestId}"`))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The access log line is written last, when the response finished.
    await waitFor(() => linesOfRequest().find((line) => line['message'] === 'HTTP request'), {
      description: 'the access log line',
    });
    const lines = linesOfRequest();
    expect(lines.filter((line) => line['message'] !== 'HTTP request')).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'Upstream request failed',
        upstream: 'notification-service',
        code: 'UPSTREAM_UNAVAILABLE',
        cause: expect.stringContaining('ECONNREFUSED'),
      }),
    ]);
    expect(lines.filter((line) => line['level'] === 'error')).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/stack|\\n\s+at /);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const inFlight = fetch(`${url}/api/users/u-1`, { headers: { authorization: `Bearer ${token}`, 'x-stub-delay-ms': '600' } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    gateway.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await gateway.exited).toBe(0);
    expect(gateway.lines.join('\n')).toContain('Shutdown complete');
  });
});
