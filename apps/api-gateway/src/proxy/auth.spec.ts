import { freePort } from '@platform/testing';
import { type RunningGateway, startGateway, startStub, type StubUpstream } from '../test/gateway-harness';
import { createSigningKey, type TestSigningKey, unsignedToken } from '../test/test-tokens';

describe('bearer tokens at the gateway', () => {
  let key: TestSigningKey;
  let users: StubUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    key = await createSigningKey('current');
    users = await startStub({ name: 'users', openapi: 'users', jwks: key.jwks });
    gw = await startGateway({ USER_SERVICE_URL: users.url, NOTIFICATION_SERVICE_URL: users.url });
  });

  afterAll(async () => {
    await gw?.stop();
    await users?.stop();
  });

  const get = (authorization?: string, path = '/api/users/u-1'): Promise<Response> =>
    fetch(`${gw.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });

  async function expectRejected(res: Response, message: RegExp): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: expect.stringMatching(message), requestId: res.headers.get('x-request-id') },
    });
  }

  it('accepts a valid token and forwards the Authorization header unchanged', async () => {
    const token = await key.sign({ sub: '00000000-0000-4000-8000-000000000007', role: 'admin' });
    const res = await get(`Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['authorization']).toBe(`Bearer ${token}`);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a bearer token', 'Basic dXNlcjpwYXNz'],
    ['not a JWT', 'Bearer not-a-jwt'],
    ['two segments', 'Bearer aaa.bbb'],
    ['garbage segments', 'Bearer aaaa.bbbb.cccc'],
  ])('rejects a %s token with 401 without calling the upstream', async (_case, authorization) => {
    const before = await users.hits();
    await expectRejected(await get(authorization), /token/i);
    expect(await users.hits()).toBe(before);
  });

  it('matches the scheme case-insensitively: a lower-case bearer gets through, header unchanged', async () => {
    const token = await key.sign();
    const res = await get(`bearer ${token}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['authorization']).toBe(`bearer ${token}`);
  });

  it('rejects a token issued in the future, one older than the maximum token age, and one whose sub is not a UUID', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await get(`Bearer ${await key.sign({ iat: now + 3_600 }, { expiresIn: now + 7_200 })}`), /future/);
    await expectRejected(
      await get(`Bearer ${await key.sign({ iat: now - 2 * 86_400 }, { expiresIn: now + 86_400 })}`),
      /maximum token age/,
    );
    await expectRejected(await get(`Bearer ${await key.sign({ sub: 'user-7' })}`), /claims/);
  });

  it('rejects an expired token', async () => {
    const token = await key.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    await expectRejected(await get(`Bearer ${token}`), /expired/);
  });

  it('rejects an unsigned token (alg none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({
      sub: '00000000-0000-4000-8000-000000000001',
      role: 'admin',
      iss: 'user-service',
      aud: 'platform',
      iat: now,
      exp: now + 600,
    });
    await expectRejected(await get(`Bearer ${token}`), /not valid/);
  });

  it('rejects a token signed with another key, under a known or an unknown key id', async () => {
    const impostorSameKid = await createSigningKey('current');
    await expectRejected(await get(`Bearer ${await impostorSameKid.sign()}`), /signature/);
    const impostorNewKid = await createSigningKey('rotated-in-by-nobody');
    await expectRejected(await get(`Bearer ${await impostorNewKid.sign()}`), /signature/);
  });

  it('rejects a token for another issuer or audience, or with an unknown role', async () => {
    await expectRejected(await get(`Bearer ${await key.sign({}, { issuer: 'someone-else' })}`), /not valid/);
    await expectRejected(await get(`Bearer ${await key.sign({}, { audience: 'other-platform' })}`), /not valid/);
    await expectRejected(await get(`Bearer ${await key.sign({ role: 'root' })}`), /claims/);
  });

  it('needs a token for everything but sign-up and login', async () => {
    expect(
      (await fetch(`${gw.url}/api/users`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status,
    ).toBe(201);
    expect((await fetch(`${gw.url}/api/auth/login`, { method: 'POST', body: '{"email":"a@b.c"}' })).status).toBe(200);
    await expectRejected(await get(undefined, '/api/users'), /token/);
    await expectRejected(await get(undefined, '/api/users/me'), /token/);
    await expectRejected(await get(undefined, '/api/auth/login'), /token/);
    await expectRejected(await get(undefined, '/api/notifications'), /token/);
    const deleteUser = await fetch(`${gw.url}/api/users/u-1`, { method: 'DELETE' });
    expect(deleteUser.status).toBe(401);
  });

  it('answers 503 AUTH_UNAVAILABLE (not 401) while the key set cannot be fetched', async () => {
    const deadJwks = `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`;
    const isolated = await startGateway({ USER_SERVICE_URL: users.url, NOTIFICATION_SERVICE_URL: users.url, JWKS_URL: deadJwks });
    try {
      const res = await fetch(`${isolated.url}/api/users/u-1`, { headers: { authorization: `Bearer ${await key.sign()}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ error: { code: 'AUTH_UNAVAILABLE' } });
    } finally {
      await isolated.stop();
    }
  });
});
