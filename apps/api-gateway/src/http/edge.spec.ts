import { waitFor } from '@platform/testing';
import { type RunningGateway, type StubbedGateway, startStubbedGateway, type StubUpstream } from '../test/gateway-harness';

describe('the public edge: CORS, security headers, health, metrics port', () => {
  let fixture: StubbedGateway;
  let users: StubUpstream;
  let notifications: StubUpstream;
  let gw: RunningGateway;
  let headers: Record<string, string>;

  beforeAll(async () => {
    fixture = await startStubbedGateway({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' });
    ({ users, notifications, gw, auth: headers } = fixture);
  });

  afterAll(() => fixture?.stop());

  const preflight = (origin: string): Promise<Response> =>
    fetch(`${gw.url}/api/users/u-1`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers a CORS preflight from an allowed origin, without token or upstream call', async () => {
    const before = await users.hits();
    const res = await preflight('https://app.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('vary')).toContain('Origin');
    expect(await users.hits()).toBe(before);

    const actual = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...headers, origin: 'https://admin.example.com' } });
    expect(actual.status).toBe(200);
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(actual.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  it('refuses a preflight from any other origin (403, no CORS headers: the browser blocks the call)', async () => {
    const before = await users.hits();
    const res = await preflight('https://evil.example.net');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    expect(await res.json()).toMatchObject({ error: { code: 'CORS_ORIGIN_NOT_ALLOWED' } });
    expect(await users.hits()).toBe(before);

    const actual = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...headers, origin: 'https://evil.example.net' } });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['a proxied answer', '/api/users/u-1'],
    ['an error', '/api/users/u-1?no-token'],
    ['a 404', '/api/unknown'],
    ['the docs page', '/docs'],
  ])('sets helmet headers on %s, and no X-Powered-By', async (_case, path) => {
    const res = await fetch(`${gw.url}${path}`, { headers: path.endsWith('no-token') ? {} : headers });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('does not serve /metrics on the public port; the metrics port serves it', async () => {
    const publicRes = await fetch(`${gw.url}/metrics`);
    expect(publicRes.status).toBe(404);
    expect(await publicRes.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    await fetch(`${gw.url}/api/users/u-1`, { headers });
    const metrics = await fetch(`${gw.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('gateway_upstream_circuit_state{upstream="user-service"');
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/users\/\*"[^}]*status_code="200"/);
    expect((await fetch(`${gw.metricsUrl}/api/users/u-1`)).status).toBe(404);
  });

  it('reports readiness per dependency on the internal port only: user-service critical, notification-service and Redis not', async () => {
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${gw.metricsUrl}/health/live`)).status).toBe(200);
    // The public port does not name the topology nor fan out to the services on a client's request.
    const hitsBefore = await users.hits();
    const publicReady = await fetch(`${gw.url}/health/ready`);
    expect(publicReady.status).toBe(404);
    expect(JSON.stringify(await publicReady.json())).not.toContain('user-service');

    const ready = await fetch(`${gw.metricsUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: {
        'user-service': { status: 'up', critical: true },
        'notification-service': { status: 'up', critical: false },
        redis: { status: 'up', critical: false },
      },
    });
    expect(await users.hits()).toBe(hitsBefore);

    // The report is reused for about a second: poll until a change shows.
    const readyWhen = async (predicate: (res: Response, body: { status: string }) => boolean) =>
      waitFor(
        async () => {
          const res = await fetch(`${gw.metricsUrl}/health/ready`);
          const body = (await res.json()) as { status: string };
          return predicate(res, body) ? body : false;
        },
        { timeoutMs: 10_000, description: 'readiness to change' },
      );
    await notifications.setReadyStatus(503);
    expect(await readyWhen((res, body) => res.status === 200 && body.status === 'degraded')).toMatchObject({
      checks: { 'notification-service': { status: 'down' } },
    });
    await users.setReadyStatus(503);
    expect(await readyWhen((res) => res.status === 503)).toMatchObject({
      status: 'unavailable',
      checks: { 'user-service': { status: 'down' } },
    });
    await Promise.all([users.setReadyStatus(200), notifications.setReadyStatus(200)]);
    await readyWhen((res, body) => res.status === 200 && body.status === 'ok');
  });

  it('checks the upstreams at most about once a second, however often readiness is asked', async () => {
    const before = await users.readinessChecks();
    const startedAt = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${gw.metricsUrl}/health/ready`).then((res) => res.status)));
    expect(answers.every((status) => status === 200)).toBe(true);
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    // Without the cache: 200 checks of each upstream.
    expect((await users.readinessChecks()) - before).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
  });

  it('sends Cache-Control: no-store on its own answers and on proxied ones that set none, and passes an upstream value on', async () => {
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${gw.url}/api/users/u-1?no-token`)).headers.get('cache-control')).toBe('no-store');
    const upstreamSays = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...headers, 'x-stub-cache-control': 'private, max-age=5' } });
    expect(upstreamSays.headers.get('cache-control')).toBe('private, max-age=5');
    expect((await fetch(`${gw.url}/docs/swagger-ui.css`)).headers.get('cache-control')).toBe('public, max-age=3600');
  });
});
