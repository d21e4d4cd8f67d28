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

  it('reports readiness per dependency: user-service critical, notification-service and Redis not', async () => {
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: {
        'user-service': { status: 'up', critical: true },
        'notification-service': { status: 'up', critical: false },
        redis: { status: 'up', critical: false },
      },
    });

    await notifications.setReadyStatus(503);
    const degraded = await fetch(`${gw.url}/health/ready`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', checks: { 'notification-service': { status: 'down' } } });

    await users.setReadyStatus(503);
    const unavailable = await fetch(`${gw.url}/health/ready`);
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ status: 'unavailable', checks: { 'user-service': { status: 'down' } } });

    await Promise.all([users.setReadyStatus(200), notifications.setReadyStatus(200)]);
    expect((await fetch(`${gw.url}/health/ready`)).status).toBe(200);
  });
});
