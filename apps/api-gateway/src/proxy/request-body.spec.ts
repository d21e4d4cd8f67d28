import net from 'node:net';
import { type RunningGateway, type StubbedGateway, startStubbedGateway, type StubUpstream } from '../test/gateway-harness';
import { rawRequest } from '../test/raw-http';

interface Echo {
  url: string;
  headers: Record<string, string>;
  bodyLength: number;
  bodyText?: string;
}

const CLIENT_BODY_TIMEOUT_MS = 600;

/**
 * Request bodies are read whole (within BODY_LIMIT and CLIENT_BODY_TIMEOUT_MS) before the upstream is
 * dialled, and read one way: UTF-8, no byte order mark.
 */
describe('request bodies at the gateway', () => {
  let fixture: StubbedGateway;
  let users: StubUpstream;
  let gw: RunningGateway;
  let auth: Record<string, string>;

  beforeAll(async () => {
    fixture = await startStubbedGateway({
      CLIENT_BODY_TIMEOUT_MS: String(CLIENT_BODY_TIMEOUT_MS),
      CIRCUIT_FAILURE_THRESHOLD: '3',
      UPSTREAM_TIMEOUT_MS: '400',
    });
    ({ users, gw, auth } = fixture);
  });

  afterAll(() => fixture?.stop());

  /** Every proxied route that takes a body: the public sign-up and login, and a signed-in change. */
  const routesWithBodies = (): Array<[string, string, Record<string, string>]> => [
    ['POST', '/api/users', {}],
    ['POST', '/api/auth/login', {}],
    ['PATCH', '/api/users/u-1', auth],
  ];

  it.each(['utf-7', 'UTF-16', 'utf-16le', 'iso-8859-1', 'utf8'])(
    'refuses a body declared as charset=%s with 415 on every route with a body, before any upstream sees it',
    async (charset) => {
      const before = await users.hits();
      for (const [method, path, headers] of routesWithBodies()) {
        const res = await fetch(`${gw.url}${path}`, {
          method,
          headers: { ...headers, 'content-type': `application/json; charset=${charset}` },
          body: '{"email":"ada@example.com","password":"x"}',
        });
        expect({ path, status: res.status }).toEqual({ path, status: 415 });
        expect(await res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
      }
      expect(await users.hits()).toBe(before);
    },
  );

  it.each([
    ['UTF-8', [0xef, 0xbb, 0xbf]],
    ['UTF-16 LE', [0xff, 0xfe]],
  ])('refuses a body that starts with a %s byte order mark (400 MALFORMED_JSON), before any upstream sees it', async (_name, mark) => {
    const before = await users.hits();
    for (const [method, path, headers] of routesWithBodies()) {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from(mark), Buffer.from('{"email":"ada@example.com","password":"x"}')]),
      });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(await res.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
    }
    expect(await users.hits()).toBe(before);
  });

  it('refuses a JSON body that is not valid UTF-8 (400 MALFORMED_JSON) before any upstream sees it; other media types pass as bytes', async () => {
    const before = await users.hits();
    const invalid = Buffer.concat([Buffer.from('{"email":"ada@example.com","name":"A'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    for (const [method, path, headers] of routesWithBodies()) {
      const res = await fetch(`${gw.url}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: invalid });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
    expect(await users.hits()).toBe(before);
    // The gateway judges only what the services parse (JSON); anything else goes through and they answer 415.
    const bytes = await fetch(`${gw.url}/api/users/u-1/blob`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
    });
    expect(bytes.status).toBe(200);
  });

  it('forwards a UTF-8 body declared as such, byte for byte, with its Content-Length (also when it came chunked)', async () => {
    const body = Buffer.from(JSON.stringify({ email: 'žofie@example.com', name: 'Žofie 🐎', password: 'Secret-123' }));
    const res = await rawRequest(gw.url, {
      method: 'POST',
      path: '/api/users',
      headers: { 'content-type': 'application/json; charset=UTF-8', 'transfer-encoding': 'chunked' },
      chunks: [body.subarray(0, 7), body.subarray(7)],
      chunkDelayMs: 20,
    });
    expect(res.status).toBe(201);
    const echo = res.json<Echo>();
    expect(echo).toMatchObject({ url: '/users', bodyLength: body.length, bodyText: body.toString('utf8') });
    expect(echo.headers['content-length']).toBe(String(body.length));
    expect(echo.headers['transfer-encoding']).toBeUndefined();
  });

  /** Opens a request whose body never finishes: the head and part of the declared body, then silence. */
  function unfinishedBody(path: string, headers: Record<string, string> = {}): Promise<{ head: string; elapsedMs: number }> {
    const url = new URL(gw.url);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        const extra = Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n${extra}\r\n{"email":"ada@`,
        );
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('close', () => resolve({ head: received, elapsedMs: Date.now() - started }));
      socket.on('error', reject);
    });
  }

  it('answers 408 to a body that does not arrive in time, closes the connection, never dials the upstream, and keeps the circuit closed', async () => {
    const before = await users.hits();
    // More than the circuit's failure threshold, on the public routes and a signed-in one.
    const outcomes = await Promise.all([
      ...Array.from({ length: 4 }, () => unfinishedBody('/api/users')),
      ...Array.from({ length: 2 }, () => unfinishedBody('/api/auth/login')),
      unfinishedBody('/api/users/u-1', auth),
    ]);
    for (const { head, elapsedMs } of outcomes) {
      expect(head).toMatch(/^HTTP\/1\.1 408 /);
      expect(head).toMatch(/\r\nconnection: close\r\n/i);
      expect(head).toContain('"code":"REQUEST_TIMEOUT"');
      expect(elapsedMs).toBeGreaterThanOrEqual(CLIENT_BODY_TIMEOUT_MS - 50);
    }
    expect(await users.hits()).toBe(before);
    expect(gw.gateway.upstreams.userService.breaker.state).toBe('CLOSED');
    expect((await fetch(`${gw.url}/api/users/u-1`, { headers: auth })).status).toBe(200);
  });
});
