import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@platform/testing';
import {
  metricValue,
  type RunningGateway,
  startGateway,
  type StubbedGateway,
  startStub,
  startStubbedGateway,
} from '../test/gateway-harness';

const RESET_TIMEOUT_MS = 2_500;
const WINDOW_MS = 3_000;
/** The failure-rate window forgets the calls of the tests before. */
const freshWindow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));

describe('upstream failures: timeouts and the circuit breaker', () => {
  let fixture: StubbedGateway;
  let gw: RunningGateway;
  let headers: Record<string, string>;

  beforeAll(async () => {
    fixture = await startStubbedGateway({
      UPSTREAM_TIMEOUT_MS: '400',
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_WINDOW_MS: String(WINDOW_MS),
      CIRCUIT_RESET_TIMEOUT_MS: String(RESET_TIMEOUT_MS),
    });
    ({ gw, auth: headers } = fixture);
  });

  afterAll(() => fixture?.stop());

  const circuitState = (upstream: string): Promise<number | undefined> =>
    metricValue(gw.metricsUrl, 'gateway_upstream_circuit_state', { upstream });

  it('maps a slow upstream to 504 UPSTREAM_TIMEOUT, and 4xx answers never open the circuit', async () => {
    const started = Date.now();
    const slow = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...headers, 'x-stub-delay-ms': '2000' } });
    expect(slow.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await slow.json()).toMatchObject({ error: { code: 'UPSTREAM_TIMEOUT', details: { upstream: 'user-service' } } });

    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${gw.url}/api/users/u-${i}`, { headers: { ...headers, 'x-stub-status': '404' } })).status).toBe(404);
    }
    // The successes in between reset the consecutive-failure count: still closed.
    expect(gw.gateway.upstreams.userService.breaker.state).toBe('CLOSED');
  });

  it('relays an upstream 5xx as it is, and counts it against the circuit', async () => {
    const res = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...headers, 'x-stub-status': '503' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('x-upstream')).toBe('users');
    // One success closes the gap again.
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(200);
    expect(gw.gateway.upstreams.userService.breaker.state).toBe('CLOSED');
  });

  const abortedByClient = (path: string): Promise<unknown> =>
    fetch(`${gw.url}${path}`, { headers: { ...headers, 'x-stub-delay-ms': '1000' }, signal: AbortSignal.timeout(100) }).then(
      () => 'answered',
      () => 'aborted',
    );

  it('does not hold clients that give up against the upstream', async () => {
    for (let i = 0; i < 5; i++) expect(await abortedByClient('/api/users/u-1')).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gw.gateway.upstreams.userService.breaker.state).toBe('CLOSED');
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(200);
  });

  it('does not send upstream, nor count, requests whose client left while they waited for the token check', async () => {
    // The key set arrives after 300 ms: the first requests wait for it at the token check.
    const slowKeySet = http.createServer((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fixture.key.jwks)), 300);
    });
    await new Promise<void>((resolve) => slowKeySet.listen(0, '127.0.0.1', resolve));
    const isolated = await startGateway({
      USER_SERVICE_URL: fixture.users.url,
      NOTIFICATION_SERVICE_URL: fixture.notifications.url,
      JWKS_URL: `http://127.0.0.1:${(slowKeySet.address() as AddressInfo).port}/jwks.json`,
      UPSTREAM_TIMEOUT_MS: '300',
      CIRCUIT_FAILURE_THRESHOLD: '1',
    });
    try {
      const before = await fixture.users.hits();
      const gone = Array.from({ length: 3 }, () =>
        fetch(`${isolated.url}/api/users/u-1`, { headers, signal: AbortSignal.timeout(100) }).catch(() => 'aborted'),
      );
      expect(await Promise.all(gone)).toEqual(['aborted', 'aborted', 'aborted']);
      // Past the key set's delay and the upstream deadline.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(isolated.gateway.upstreams.userService.breaker.state).toBe('CLOSED');
      expect(await fixture.users.hits()).toBe(before);
      expect((await fetch(`${isolated.url}/api/users/u-1`, { headers })).status).toBe(200);
    } finally {
      await isolated.stop();
      slowKeySet.close();
    }
  });

  it('dead upstream: 502, then 503 with Retry-After without touching it, then recovery once it is back', async () => {
    const port = fixture.notifications.port;
    await fixture.notifications.stop();

    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw.url}/api/notifications`, { headers });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({
        error: { code: 'UPSTREAM_UNAVAILABLE', details: { upstream: 'notification-service' } },
      });
    }
    expect(await circuitState('notification-service')).toBe(2);
    expect(await circuitState('user-service')).toBe(0);

    // Bring it back on the same port while the circuit is still open: the gateway must not call it.
    const notifications = await startStub({ name: 'notifications', port });
    fixture.notifications = notifications;
    const openStarted = Date.now();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.url}/api/notifications/n-${i}`, { headers });
      expect(res.status).toBe(503);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(RESET_TIMEOUT_MS / 1000));
      expect(await res.json()).toMatchObject({ error: { code: 'UPSTREAM_CIRCUIT_OPEN', requestId: expect.any(String) } });
    }
    expect(Date.now() - openStarted).toBeLessThan(RESET_TIMEOUT_MS);
    expect(await notifications.hits()).toBe(0);
    // Other upstreams are unaffected.
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(200);

    // After the reset timeout one trial request goes through, succeeds, and closes the circuit.
    const recovered = await waitFor(
      async () => {
        const res = await fetch(`${gw.url}/api/notifications`, { headers });
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: RESET_TIMEOUT_MS + 2_000, intervalMs: 200, description: 'the circuit to close' },
    );
    expect(recovered.headers.get('x-upstream')).toBe('notifications');
    expect(await notifications.hits()).toBe(1);
    expect(await circuitState('notification-service')).toBe(0);
    expect((await fetch(`${gw.url}/api/notifications`, { headers })).status).toBe(200);
  });

  it('does not open on a few timeouts among many answers (the failure rate of the window, not failures in a row)', async () => {
    await freshWindow();
    for (let i = 0; i < 10; i++) expect((await fetch(`${gw.url}/api/users/u-${i}`, { headers })).status).toBe(200);
    const slow = { ...headers, 'x-stub-delay-ms': '1000' };
    const timeouts = await Promise.all(Array.from({ length: 4 }, () => fetch(`${gw.url}/api/users/u-1`, { headers: slow })));
    expect(timeouts.map((res) => res.status)).toEqual([504, 504, 504, 504]);
    expect(gw.gateway.upstreams.userService.breaker.state).toBe('CLOSED');
  });

  it('opens on timeouts too, and a failed half-open trial opens it again', async () => {
    await freshWindow();
    const slow = { ...headers, 'x-stub-delay-ms': '1000' };
    for (let i = 0; i < 3; i++) expect((await fetch(`${gw.url}/api/users/u-1`, { headers: slow })).status).toBe(504);
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(503);

    await new Promise((resolve) => setTimeout(resolve, RESET_TIMEOUT_MS + 100));
    expect(await circuitState('user-service')).toBe(1);
    // The trial times out: open again at once.
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers: slow })).status).toBe(504);
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(503);
    expect(await circuitState('user-service')).toBe(2);
  });

  it('a half-open trial the client gave up on neither closes nor reopens the circuit', async () => {
    // The previous test left user-service's circuit open.
    await new Promise((resolve) => setTimeout(resolve, RESET_TIMEOUT_MS + 100));
    expect(await abortedByClient('/api/users/u-1')).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await circuitState('user-service')).toBe(1);
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(200);
    expect(await circuitState('user-service')).toBe(0);
  });
});

describe('an upstream closing a pooled keep-alive connection as a request goes out on it', () => {
  let fixture: StubbedGateway;

  beforeAll(async () => {
    fixture = await startStubbedGateway();
  });

  afterAll(() => fixture?.stop());

  it('sends a request without a body once more on a fresh connection, but never a POST', async () => {
    const { gw, users, auth } = fixture;
    // The first request leaves its connection in the gateway's pool; the next ones go out on it.
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers: auth })).status).toBe(200);

    const get = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...auth, 'x-stub-reset-reused': '1' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ method: 'GET', url: '/users/u-1' });
    expect(await users.resets()).toBe(1);

    // The upstream may have acted on a POST before the connection broke: the client decides, on a 502.
    const post = await fetch(`${gw.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-stub-reset-reused': '1' },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    expect(post.status).toBe(502);
    expect(await post.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(await users.resets()).toBe(2);
  });
});
