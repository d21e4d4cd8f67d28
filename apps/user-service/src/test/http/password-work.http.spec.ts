import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uniqueEmail, USER_PASSWORD } from '../support/http-client';
import { startTestService, type TestService } from '../support/test-service';

/**
 * bcrypt work is bounded: BCRYPT_MAX_CONCURRENT hashes at once, BCRYPT_MAX_QUEUED waiting; more is answered
 * at once with 429 SERVICE_BUSY and Retry-After, so the event loop and the latency stay bounded.
 */
describe('bcrypt work under a flood of logins and sign-ups (composed app, real Postgres)', () => {
  let testService: TestService;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // Cost 10: each hash takes tens of milliseconds, so the flood below overlaps.
    testService = await startTestService({ BCRYPT_COST: '10', BCRYPT_MAX_CONCURRENT: '1', BCRYPT_MAX_QUEUED: '2' });
    server = testService.service.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await testService?.close();
  });

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers what does not fit at once with 429 SERVICE_BUSY and Retry-After; everything else is answered normally; never a 5xx', async () => {
    const flood = await Promise.all([
      ...Array.from({ length: 12 }, () => post('/auth/login', { email: uniqueEmail('nobody'), password: 'Wrong-Secret-1' })),
      ...Array.from({ length: 4 }, () => post('/users', { email: uniqueEmail('new'), name: 'New User', password: USER_PASSWORD })),
    ]);
    const statuses = flood.map((res) => res.status);
    const busy = flood.filter((res) => res.status === 429);
    // One running and two queued while the flood arrives (a few finish while it does): most are shed.
    expect(busy.length).toBeGreaterThanOrEqual(8);
    expect(statuses.every((status) => [201, 401, 429].includes(status))).toBe(true);
    for (const res of busy) {
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ error: { code: 'SERVICE_BUSY', requestId: res.headers.get('x-request-id') } });
    }

    // Afterwards the capacity is back: a sign-up and its login succeed.
    const email = uniqueEmail('after');
    expect((await post('/users', { email, name: 'After Flood', password: USER_PASSWORD })).status).toBe(201);
    expect((await post('/auth/login', { email, password: USER_PASSWORD })).status).toBe(200);
  });
});
