import request from 'supertest';
import { type EventSink, openEventSink } from '../support/event-sink';
import { uniqueEmail } from '../support/http-client';
import { testInfrastructure } from '../support/test-infrastructure';
import { startTestService, TEST_ADMIN, type TestService } from '../support/test-service';

/**
 * Drives every route with known passwords, then scans everything that left the service (HTTP responses,
 * log lines, published events) for those passwords and for the bcrypt hashes stored for them.
 */
describe('no password or hash ever leaves the service', () => {
  const passwords = {
    ada: 'Ada-Secret-Pass-1',
    bob: 'Bob-Secret-Pass-2',
    wrong: 'Wrong-Guess-Pass-3',
    refused: `Refused-Pass-4${'x'.repeat(70)}`,
    admin: TEST_ADMIN.password,
  };
  let testService: TestService;
  let sink: EventSink;
  const responses: string[] = [];
  const tokens: string[] = [];
  const hashes: string[] = [];

  beforeAll(async () => {
    testService = await startTestService();
    sink = await openEventSink(testInfrastructure().rabbitmqUrl, testService.config.USER_EVENTS_EXCHANGE);
    await runEveryRoute();
  });

  afterAll(async () => {
    await sink?.close();
    await testService?.close();
  });

  /** A request whose whole response (status, headers, body) is kept for the scan. */
  async function call(build: (agent: ReturnType<typeof request>) => request.Test): Promise<request.Response> {
    const res = await build(request(testService.service.app));
    responses.push(JSON.stringify({ status: res.status, headers: res.headers, body: res.body, text: res.text }));
    return res;
  }

  async function runEveryRoute(): Promise<void> {
    const adaEmail = uniqueEmail('ada');
    const bobEmail = uniqueEmail('bob');
    const ada = (await call((r) => r.post('/users').send({ email: adaEmail, name: 'Ada', password: passwords.ada }))).body;
    const bob = (await call((r) => r.post('/users').send({ email: bobEmail, name: 'Bob', password: passwords.bob }))).body;
    await call((r) => r.post('/users').send({ email: uniqueEmail(), name: 'Refused', password: passwords.refused }));
    await call((r) => r.post('/users').send({ email: uniqueEmail(), name: 'Sneaky', password: passwords.bob, role: 'admin' }));
    await call((r) => r.post('/users').send({ email: adaEmail, name: 'Copy', password: passwords.ada }));

    const login = async (email: string, password: string) => {
      const res = await call((r) => r.post('/auth/login').send({ email, password }));
      if (res.body.accessToken) tokens.push(res.body.accessToken);
      return res.body.accessToken as string;
    };
    const adaToken = await login(adaEmail, passwords.ada);
    const adminToken = await login(TEST_ADMIN.email, passwords.admin);
    await login(adaEmail, passwords.wrong);
    await login(uniqueEmail('ghost'), passwords.wrong);
    await login(adaEmail, passwords.refused);

    for (const user of await testService.service.prisma.user.findMany()) hashes.push(user.passwordHash);

    const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
    await call((r) => r.get('/users/me').set(auth(adaToken)));
    await call((r) => r.get(`/users/${ada.id}`).set(auth(adaToken)));
    await call((r) => r.get(`/users/${bob.id}`).set(auth(adaToken)));
    await call((r) => r.get('/users?limit=100').set(auth(adminToken)));
    await call((r) =>
      r
        .patch(`/users/${ada.id}`)
        .set(auth(adaToken))
        .send({ name: 'Ada King', email: uniqueEmail('ada2') }),
    );
    await call((r) => r.patch(`/users/${ada.id}`).set(auth(adaToken)).send({ password: passwords.wrong }));
    await call((r) => r.post(`/users/${bob.id}/deactivate`).set(auth(adminToken)));
    await login(bobEmail, passwords.bob);
    await call((r) => r.post(`/users/${bob.id}/activate`).set(auth(adminToken)));
    await call((r) => r.delete(`/users/${bob.id}`).set(auth(adminToken)));
    await call((r) => r.delete(`/users/${ada.id}`).set(auth(adaToken)));
    await call((r) => r.get('/.well-known/jwks.json'));
    await call((r) => r.get('/openapi.json'));
    await call((r) => r.get('/metrics'));

    // 2 sign-ups (the admin's came before the sink was bound), 1 update, deactivate, activate, 2 deletes
    await sink.waitForCount(7);
  }

  const secrets = () => [...Object.values(passwords), ...hashes, ...hashes.map((hash) => hash.slice(7))];

  it('the scan has something to find (the flows ran)', () => {
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    expect(hashes.every((hash) => /^\$2[aby]\$04\$/.test(hash))).toBe(true);
    expect(responses.length).toBeGreaterThan(20);
    expect(testService.logs.lines.length).toBeGreaterThan(20);
  });

  it('not in any HTTP response', () => {
    const all = responses.join('\n');
    for (const secret of secrets()) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/passwordHash|\$2[aby]\$/);
  });

  it('not in any log line (nor the access tokens)', () => {
    const all = testService.logs.lines.join('\n');
    for (const secret of [...secrets(), ...tokens]) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/\$2[aby]\$\d\d\$/);
  });

  it('not in any published event (bodies and headers)', () => {
    const all = sink.messages.map((message) => `${message.content.toString()} ${JSON.stringify(message.properties)}`).join('\n');
    expect(sink.messages.length).toBeGreaterThanOrEqual(7);
    for (const secret of secrets()) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/password|hash|\$2[aby]\$/i);
  });
});
