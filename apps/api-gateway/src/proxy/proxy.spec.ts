import { createHash, randomBytes } from 'node:crypto';
import { type RunningGateway, startGateway, type StubbedGateway, startStubbedGateway, type StubUpstream } from '../test/gateway-harness';
import { rawRequest } from '../test/raw-http';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyLength: number;
  bodySha256: string;
  bodyText?: string;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('proxying to real upstream processes', () => {
  let fixture: StubbedGateway;
  let users: StubUpstream;
  let notifications: StubUpstream;
  let gw: RunningGateway;
  let auth: Record<string, string>;
  let token: string;

  beforeAll(async () => {
    fixture = await startStubbedGateway({ BODY_LIMIT: '2mb' });
    ({ users, notifications, gw, auth } = fixture);
    token = auth['authorization'].slice('Bearer '.length);
  });

  afterAll(() => fixture?.stop());

  it.each([
    ['/api/users/123?x=1&y=two', 'users', '/users/123?x=1&y=two'],
    ['/api/users?page=2&limit=5&isActive=true', 'users', '/users?page=2&limit=5&isActive=true'],
    ['/api/auth/session', 'users', '/auth/session'],
    ['/api/notifications?userId=u1&page=1', 'notifications', '/notifications?userId=u1&page=1'],
    ['/api/notifications/n-9', 'notifications', '/notifications/n-9'],
  ])('GET %s reaches %s with the prefix rewritten', async (path, upstream, upstreamUrl) => {
    const res = await fetch(`${gw.url}${path}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe(upstream);
    const echo = (await res.json()) as Echo;
    expect(echo).toMatchObject({ method: 'GET', url: upstreamUrl, bodyLength: 0 });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('%s forwards the JSON body unchanged', async (method) => {
    const body = JSON.stringify({ name: 'Ada', nested: { list: [1, 2, 3] }, unicode: 'žluťoučký 🐎' });
    const res = await fetch(`${gw.url}/api/users/u-1`, {
      method,
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo).toMatchObject({ method, url: '/users/u-1', bodyText: body, bodyLength: Buffer.byteLength(body) });
    expect(echo.headers['content-type']).toBe('application/json');
  });

  it('forwards headers: Authorization unchanged, traceparent, custom ones, X-Forwarded-*; no hop-by-hop ones', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await rawRequest(gw.url, {
      path: '/api/users/me',
      headers: {
        ...auth,
        traceparent,
        'x-custom': 'kept',
        'accept-language': 'cs',
        connection: 'keep-alive, x-hop',
        'x-hop': 'dropped',
      },
    });
    const echo = res.json<Echo>();
    expect(echo.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      traceparent,
      'x-custom': 'kept',
      'accept-language': 'cs',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(echo.headers['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(echo.headers['host']).toBe(`127.0.0.1:${users.port}`);
    expect(echo.headers['x-hop']).toBeUndefined();
  });

  it('passes the upstream status and response headers through, several Set-Cookie included', async () => {
    const res = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...auth, 'x-stub-status': '418', 'x-stub-cookies': '2' } });
    expect(res.status).toBe(418);
    expect(res.headers.getSetCookie()).toEqual(['c0=v0; Path=/', 'c1=v1; Path=/']);
    expect(res.headers.get('x-upstream')).toBe('users');
    expect(res.headers.get('content-type')).toBe('application/json');

    const noContent = await fetch(`${gw.url}/api/users/u-1`, { method: 'DELETE', headers: { ...auth, 'x-stub-status': '204' } });
    expect(noContent.status).toBe(204);
    expect(await noContent.text()).toBe('');
  });

  it('streams a large upload within the limit (1.5 MB) and keeps it intact', async () => {
    const upload = randomBytes(1.5 * 1024 * 1024);
    const res = await fetch(`${gw.url}/api/users/u-1/avatar`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: upload,
    });
    expect(res.status).toBe(200);
    expect((await res.json()) as Echo).toMatchObject({ bodyLength: upload.length, bodySha256: sha256(upload) });
  });

  it('is binary-safe both ways', async () => {
    const bytes = Buffer.concat([Buffer.from([0, 255, 0xc3, 0x28, 13, 10, 0]), randomBytes(64 * 1024)]);
    const res = await fetch(`${gw.url}/api/users/u-1/blob`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream', 'x-stub-echo': 'raw' },
      body: bytes,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('streams a chunked request body (no Content-Length)', async () => {
    const chunks = [Buffer.from('{"part":1,'), Buffer.from('"part2":"'), Buffer.from('x'.repeat(100_000)), Buffer.from('"}')];
    const res = await rawRequest(gw.url, {
      method: 'POST',
      path: '/api/notifications/chunked',
      headers: { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks,
      chunkDelayMs: 20,
    });
    expect(res.status).toBe(200);
    const all = Buffer.concat(chunks);
    expect(res.json<Echo>()).toMatchObject({ url: '/notifications/chunked', bodyLength: all.length, bodySha256: sha256(all) });
  });

  it('answers 413 at once for a Content-Length over the limit, without calling the upstream', async () => {
    const before = await users.hits();
    const res = await rawRequest(gw.url, {
      method: 'POST',
      path: '/api/users/u-1/avatar',
      headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(3 * 1024 * 1024) },
      chunks: [randomBytes(64 * 1024)],
    });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) } });
    expect(res.headers['connection']).toBe('close');
    expect(await users.hits()).toBe(before);
  });

  it('answers 413 when a chunked body grows past the limit', async () => {
    const res = await rawRequest(gw.url, {
      method: 'POST',
      path: '/api/users/u-1/avatar',
      headers: { ...auth, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 48 }, () => randomBytes(64 * 1024)),
    });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers on the client connection as the client and the gateway want: keep-alive, or close when asked', async () => {
    const kept = await rawRequest(gw.url, { path: '/api/users/u-1', headers: { ...auth, connection: 'keep-alive' } });
    expect(kept.headers['connection']).toBe('keep-alive');
    const closed = await rawRequest(gw.url, { path: '/api/users/u-1', headers: { ...auth, connection: 'close' } });
    expect(closed.status).toBe(200);
    expect(closed.headers['connection']).toBe('close');
    expect(closed.json<Echo>().headers['connection']).not.toBe('close');
  });

  it('cuts the client response off when the upstream breaks off mid-body (instead of leaving it hanging)', async () => {
    const res = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...auth, 'x-stub-break-off': '1' } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('forwards a login body intact while every upstream socket is busy (the request waits in the agent)', async () => {
    const oneSocket = await startGateway({
      USER_SERVICE_URL: users.url,
      NOTIFICATION_SERVICE_URL: notifications.url,
      UPSTREAM_MAX_SOCKETS: '1',
    });
    try {
      const body = JSON.stringify({ email: 'queued@example.com', password: 'p'.repeat(100) });
      const [slow, login] = await Promise.all([
        fetch(`${oneSocket.url}/api/users/u-1`, { headers: { ...auth, 'x-stub-delay-ms': '300' } }),
        new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
          fetch(`${oneSocket.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
        ),
      ]);
      expect(slow.status).toBe(200);
      expect(login.status).toBe(200);
      expect((await login.json()) as Echo).toMatchObject({ url: '/auth/login', bodyText: body });
    } finally {
      await oneSocket.stop();
    }
  });

  it('keeps a well-formed x-request-id, replaces a malformed one, and the upstream sees the same id', async () => {
    const kept = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...auth, 'x-request-id': 'client-req.42:a_b-c' } });
    expect(kept.headers.get('x-request-id')).toBe('client-req.42:a_b-c');
    expect(((await kept.json()) as Echo).headers['x-request-id']).toBe('client-req.42:a_b-c');

    const replaced = await fetch(`${gw.url}/api/users/u-1`, { headers: { ...auth, 'x-request-id': 'bad id with spaces' } });
    const generated = replaced.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await replaced.json()) as Echo).headers['x-request-id']).toBe(generated);

    const fresh = await fetch(`${gw.url}/api/users/u-1`, { headers: auth });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    '/api/metrics',
    '/api/health/ready',
    '/api/openapi.json',
    '/api/.well-known/jwks.json',
    '/api/usersX/1',
    '/api/users/../metrics',
    '/api/users/%2e%2e/health/ready',
    '/api/notifications/./../openapi.json',
    '/api/auth//login',
    '/api//users/1',
    '/nope',
  ])('GET %s is a JSON 404 that never reaches an upstream', async (path) => {
    const before = (await users.hits()) + (await notifications.hits());
    const res = await rawRequest(gw.url, { path, headers: auth });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND', requestId: expect.any(String) } });
    expect((await users.hits()) + (await notifications.hits())).toBe(before);
  });
});
