import { Redis } from 'ioredis';
import { freePort } from '@platform/testing';
import { type RunningGateway, startGateway, startStub, type StubUpstream, testRedisPrefix } from '../test/gateway-harness';
import { rawRequest } from '../test/raw-http';
import { createSigningKey } from '../test/test-tokens';

interface Echo {
  url: string;
  headers: Record<string, string>;
  bodyText: string;
}

describe('rate limits', () => {
  let users: StubUpstream;
  let headers: Record<string, string>;
  const running: RunningGateway[] = [];
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');

  beforeAll(async () => {
    const key = await createSigningKey();
    users = await startStub({ name: 'users', jwks: key.jwks });
    headers = { authorization: `Bearer ${await key.sign()}` };
  });

  afterAll(async () => {
    await Promise.all(running.map((gw) => gw.stop()));
    await users?.stop();
    redis.disconnect();
  });

  /** Gateways in this process on their own ports; with the same prefix they are replicas sharing limits. */
  async function gateways(count: number, env: Record<string, string>): Promise<RunningGateway[]> {
    const prefix = testRedisPrefix();
    const started = await Promise.all(
      Array.from({ length: count }, () =>
        startGateway({ USER_SERVICE_URL: users.url, NOTIFICATION_SERVICE_URL: users.url, REDIS_KEY_PREFIX: prefix, ...env }),
      ),
    );
    running.push(...started);
    return started;
  }

  const login = (gw: RunningGateway, email: string): Promise<Response> =>
    fetch(`${gw.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'wrong-password' }),
    });

  async function expectLimited(res: Response): Promise<void> {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit')).toMatch(/^limit=\d+, remaining=0, reset=\d+$/);
    expect(res.headers.get('ratelimit-policy')).toMatch(/^\d+;w=\d+$/);
    expect(await res.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.any(String), requestId: res.headers.get('x-request-id') },
    });
  }

  it('counts the general limit across two gateway instances sharing Redis', async () => {
    const prefix = testRedisPrefix();
    const [a, b] = await gateways(2, { RATE_LIMIT_MAX: '6', RATE_LIMIT_WINDOW_MS: '60000', REDIS_KEY_PREFIX: prefix });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${(i % 2 === 0 ? a : b).url}/api/users/u-1`, { headers });
      statuses.push(res.status);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^limit=6, remaining=${5 - i}, reset=\\d+$`));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const before = await users.hits();
    await expectLimited(await fetch(`${a.url}/api/users/u-1`, { headers }));
    await expectLimited(await fetch(`${b.url}/api/users/u-1`, { headers }));
    expect(await users.hits()).toBe(before);

    // Each instance learnt from Redis that this client is over the limit for the window: their further
    // refusals are local, Redis' count stays where the two round trips above left it.
    const counter = `${prefix}rl:general:127.0.0.1`;
    expect(await redis.get(counter)).toBe('8');
    for (const gw of [a, b, a, b]) await expectLimited(await fetch(`${gw.url}/api/users/u-1`, { headers }));
    expect(await redis.get(counter)).toBe('8');
  });

  it('counts requests arriving together exactly (their Redis commands share one pipeline)', async () => {
    const [gw] = await gateways(1, { RATE_LIMIT_MAX: '5' });
    const responses = await Promise.all(Array.from({ length: 12 }, () => fetch(`${gw.url}/api/users/u-1`, { headers })));
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(7).fill(429)]);
    const remaining = responses
      .filter((res) => res.status === 200)
      .map((res) => /remaining=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1])
      .sort();
    expect(remaining).toEqual(['0', '1', '2', '3', '4']);
  });

  it('limits logins per client and email, across instances, and still forwards the login body intact', async () => {
    const [a, b] = await gateways(2, { LOGIN_RATE_LIMIT_MAX: '3', LOGIN_RATE_LIMIT_WINDOW_MS: '60000' });
    for (const gw of [a, b, a]) {
      const res = await login(gw, 'ada@example.com');
      expect(res.status).toBe(200);
      const echo = (await res.json()) as Echo;
      expect(echo.url).toBe('/auth/login');
      expect(JSON.parse(echo.bodyText)).toEqual({ email: 'ada@example.com', password: 'wrong-password' });
      expect(echo.headers['content-length']).toBe(String(Buffer.byteLength(echo.bodyText)));
    }
    await expectLimited(await login(b, 'ada@example.com'));
    // The same account however it is spelled; another account is not affected.
    await expectLimited(await login(a, '  ADA@Example.com '));
    expect((await login(a, 'bob@example.com')).status).toBe(200);
  });

  it('limits guesses per account whatever the client address: free attempts, then one per interval (429 with Retry-After)', async () => {
    const [a, b] = await gateways(2, {
      TRUST_PROXY: 'loopback',
      LOGIN_ACCOUNT_FREE_ATTEMPTS: '3',
      LOGIN_ACCOUNT_INTERVAL_SECONDS: '2',
    });
    const from = (gw: RunningGateway, address: string, email: string): Promise<Response> =>
      fetch(`${gw.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ email, password: 'guess' }),
      });
    // Every attempt from another address, on either replica, every spelling of one account.
    const spellings = ['grace@example.com', ' GRACE@example.com', 'Grace@Example.COM\t', 'grace@EXAMPLE.com'];
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await from(i % 2 === 0 ? a : b, `203.0.113.${i + 1}`, spellings[i % spellings.length]);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(2);
        expect(await res.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      }
    }
    expect(statuses).toEqual([200, 200, 200, ...Array<number>(9).fill(429)]);
    // Another account is not slowed down; after the interval the account gets one more attempt, not more.
    expect((await from(a, '203.0.113.99', 'ada@example.com')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await from(b, '198.51.100.7', 'grace@example.com')).status).toBe(200);
    expect((await from(a, '198.51.100.8', 'grace@example.com')).status).toBe(429);
  });

  it('lets one client have at most LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT logins and sign-ups in progress; others are not affected', async () => {
    const [gw] = await gateways(1, { TRUST_PROXY: 'loopback', LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT: '2' });
    const post = (path: string, address: string, email: string): Promise<Response> =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        // The stub answers after 800 ms: the requests overlap.
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address, 'x-stub-delay-ms': '800' },
        body: JSON.stringify({ email, password: 'Secret-123', name: 'N' }),
      });
    const before = await users.hits();
    const started = Date.now();
    const flood = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => post('/api/auth/login', '203.0.113.50', `flood${i}@example.com`)),
      ...Array.from({ length: 2 }, (_, i) => post('/api/users', '203.0.113.50', `new${i}@example.com`)),
      post('/api/auth/login', '198.51.100.1', 'someone@example.com'),
      post('/api/users', '198.51.100.2', 'someone-else@example.com'),
    ]);
    const statuses = flood.map((res) => res.status);
    expect(statuses.slice(0, 6).filter((status) => status === 429)).toHaveLength(4);
    expect(statuses.slice(6)).toEqual([200, 201]);
    expect(await users.hits()).toBe(before + 4);
    const refused = flood.find((res) => res.status === 429);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeLessThan(5_000);
    // Once they finished, the client may start new ones.
    expect((await post('/api/auth/login', '203.0.113.50', 'again@example.com')).status).toBe(200);
  });

  it('reads a chunked login body and forwards it with its length; refuses one over the login body limit', async () => {
    const [gw] = await gateways(1, { LOGIN_BODY_LIMIT: '1kb' });
    const body = Buffer.from(JSON.stringify({ email: 'chunky@example.com', password: 'p'.repeat(200) }));
    const chunked = await rawRequest(gw.url, {
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: [body.subarray(0, 40), body.subarray(40)],
      chunkDelayMs: 10,
    });
    expect(chunked.status).toBe(200);
    expect(chunked.json<Echo>()).toMatchObject({ bodyText: body.toString(), headers: { 'content-length': String(body.length) } });
    expect(chunked.json<Echo>().headers['transfer-encoding']).toBeUndefined();

    const tooLarge = await login(gw, `${'x'.repeat(2_000)}@example.com`);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('forwards an empty login body at once, declared (Content-Length: 0) or chunked', async () => {
    const [gw] = await gateways(1, {});
    for (const framing of [{ 'content-length': '0' }, { 'transfer-encoding': 'chunked' }]) {
      const res = await rawRequest(gw.url, {
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json', ...framing },
      });
      expect(res.status).toBe(200);
      expect(res.json<Echo>()).toMatchObject({ url: '/auth/login', bodyText: '', headers: { 'content-length': '0' } });
    }
  });

  it('while Redis is down: the general limit fails open, the login limit holds per process, nothing answers 500', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const [gw] = await gateways(1, {
      REDIS_URL: deadRedis,
      RATE_LIMIT_MAX: '2',
      LOGIN_RATE_LIMIT_MAX: '2',
      LOGIN_ACCOUNT_FREE_ATTEMPTS: '1000',
    });
    for (let i = 0; i < 6; i++) expect((await fetch(`${gw.url}/api/users/u-1`, { headers })).status).toBe(200);
    expect((await login(gw, 'eve@example.com')).status).toBe(200);
    expect((await login(gw, 'eve@example.com')).status).toBe(200);
    await expectLimited(await login(gw, 'eve@example.com'));
    expect((await login(gw, 'mallory@example.com')).status).toBe(200);
    // The per-account limit counts per process too.
    const [throttled] = await gateways(1, { REDIS_URL: deadRedis, LOGIN_ACCOUNT_FREE_ATTEMPTS: '2', LOGIN_ACCOUNT_INTERVAL_SECONDS: '60' });
    expect((await login(throttled, 'trent@example.com')).status).toBe(200);
    expect((await login(throttled, 'trent@example.com')).status).toBe(200);
    expect((await login(throttled, 'trent@example.com')).status).toBe(429);
    // The gateway stays ready: Redis is not a critical dependency.
    const ready = await fetch(`${gw.metricsUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded', checks: { redis: { status: 'down', critical: false } } });
  });
});
