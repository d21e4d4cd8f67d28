import { JwtVerifier } from '@platform/service-runtime';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { type EventSink, openEventSink } from '../support/event-sink';
import { bearer, httpClient, uniqueEmail, USER_PASSWORD } from '../support/http-client';
import { testInfrastructure } from '../support/test-infrastructure';
import { startTestService, TEST_ADMIN, type TestService } from '../support/test-service';

const UNKNOWN_ID = '3f1c2b8e-0000-4000-8000-000000000000';

describe('user-service HTTP API (composed app, real Postgres/Redis/RabbitMQ)', () => {
  let testService: TestService;
  let sink: EventSink;
  let app: TestService['service']['app'];
  let client: ReturnType<typeof httpClient>;
  let adminToken: string;
  let signingKey: KeyLike;

  beforeAll(async () => {
    // A known signing key (as production configures it), so tests can mint tokens the service must refuse.
    ({ privateKey: signingKey } = await generateKeyPair('EdDSA', { extractable: true }));
    const pem = (await exportPKCS8(signingKey)).replace(/\n/g, '\\n'); // one-line form, as in an env file
    testService = await startTestService({ JWT_PRIVATE_KEY: pem, JWT_KEY_ID: 'test-key-1' });
    app = testService.service.app;
    client = httpClient(app);
    sink = await openEventSink(testInfrastructure().rabbitmqUrl, testService.config.USER_EVENTS_EXCHANGE);
    adminToken = await client.login(TEST_ADMIN.email, TEST_ADMIN.password);
  });

  afterAll(async () => {
    await sink?.close();
    await testService?.close();
  });

  const expectError = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      error: expect.objectContaining({ code, message: expect.any(String), requestId: res.headers['x-request-id'] }),
    });
  };

  describe('POST /users (sign-up)', () => {
    it('creates a user: 201, Location, normalised email, role user, no hash; user.created carries the request id', async () => {
      const email = uniqueEmail('Signup').toUpperCase();
      const res = await request(app)
        .post('/users')
        .set('X-Request-Id', 'req-signup-1')
        .send({ email: `  ${email}`.trim(), name: ' Ada Lovelace ', password: USER_PASSWORD });

      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: email.toLowerCase(),
        name: 'Ada Lovelace',
        role: 'user',
        isActive: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(res.headers['location']).toBe(`/users/${res.body.id}`);
      expect(res.headers['x-request-id']).toBe('req-signup-1');

      const created = () => sink.events().find((event) => event['aggregateId'] === res.body.id);
      await waitUntil(() => created() !== undefined);
      expect(created()).toMatchObject({
        type: 'user.created',
        correlationId: 'req-signup-1',
        payload: { email: email.toLowerCase(), role: 'user' },
      });
    });

    it.each([
      ['a local part of 200 characters', { email: `${'a'.repeat(200)}@example.com`, name: 'Long Local' }],
      ['a local part of 65 characters', { email: `${'a'.repeat(65)}@example.com`, name: 'Long Local' }],
      ['a right-to-left override in the name', { email: uniqueEmail('bidi'), name: 'Ada \u202Egnp.exe' }],
      ['a left-to-right isolate in the name', { email: uniqueEmail('bidi'), name: 'Ada\u2066 Lovelace' }],
    ])('sign-up with %s is 400 VALIDATION_FAILED', async (_label, fields) => {
      const res = await request(app)
        .post('/users')
        .send({ ...fields, password: USER_PASSWORD });
      expectError(res, 400, 'VALIDATION_FAILED');
    });

    it('a taken email (any case) is 409 EMAIL_ALREADY_EXISTS', async () => {
      const user = await client.signUp();
      expectError(
        await request(app).post('/users').send({ email: user.email.toUpperCase(), name: 'Copy', password: USER_PASSWORD }),
        409,
        'EMAIL_ALREADY_EXISTS',
      );
    });

    it('10 simultaneous sign-ups with one email: exactly one 201 and nine 409, never a 500', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          request(app)
            .post('/users')
            .send({ email: i % 2 ? email.toUpperCase() : email, name: `Racer ${i}`, password: USER_PASSWORD }),
        ),
      );
      expect(responses.map((res) => res.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      for (const res of responses.filter((r) => r.status === 409)) expect(res.body.error.code).toBe('EMAIL_ALREADY_EXISTS');
    });

    it.each([
      ['an invalid email', { email: 'not-an-email' }],
      ['a one-letter name', { name: 'A' }],
      ['a short password', { password: 'Short1' }],
      ['a password without a digit', { password: 'NoDigitsHere' }],
      ['a password over 72 bytes (refused, not truncated)', { password: `Aa1${'é'.repeat(35)}` }],
      ['a missing field', { name: undefined }],
    ])('%s is 400 VALIDATION_FAILED', async (_label, override) => {
      const res = await request(app)
        .post('/users')
        .send({ email: uniqueEmail(), name: 'Valid Name', password: USER_PASSWORD, ...override });
      expectError(res, 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['role', 'admin'],
      ['isActive', false],
      ['id', UNKNOWN_ID],
      ['passwordHash', '$2b$04$x'],
      ['createdAt', '2020-01-01T00:00:00Z'],
      ['nickname', 'x'],
    ])('mass assignment of %s is 400 naming the field', async (field, value) => {
      const res = await request(app)
        .post('/users')
        .send({ email: uniqueEmail(), name: 'Sneaky', password: USER_PASSWORD, [field]: value });
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    });
  });

  describe('POST /auth/login', () => {
    it('answers an EdDSA access token with the claims the gateway checks', async () => {
      const user = await client.signUp();
      const res = await request(app).post('/auth/login').send({ email: user.email.toUpperCase(), password: USER_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });

      const header = decodeProtectedHeader(res.body.accessToken);
      const claims = decodeJwt(res.body.accessToken);
      expect(header).toMatchObject({ alg: 'EdDSA', kid: 'test-key-1' });
      expect(claims).toEqual({
        sub: user.id,
        role: 'user',
        iss: 'user-service',
        aud: 'platform',
        iat: expect.any(Number),
        exp: (claims.iat ?? 0) + 900,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    });

    it('a wrong password and an unknown email get the same 401 INVALID_CREDENTIALS', async () => {
      const user = await client.signUp();
      const wrong = await request(app).post('/auth/login').send({ email: user.email, password: 'Wrong-Secret-1' });
      const unknown = await request(app)
        .post('/auth/login')
        .send({ email: uniqueEmail('nobody'), password: USER_PASSWORD });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      expectError(unknown, 401, 'INVALID_CREDENTIALS');
      expect(wrong.body.error.message).toBe(unknown.body.error.message);
    });

    it('an inactive user cannot log in (403 USER_INACTIVE) until reactivated', async () => {
      const user = await client.signUp();
      await request(app).post(`/users/${user.id}/deactivate`).set(bearer(adminToken)).expect(200);
      expectError(await request(app).post('/auth/login').send({ email: user.email, password: USER_PASSWORD }), 403, 'USER_INACTIVE');
      await request(app).post(`/users/${user.id}/activate`).set(bearer(adminToken)).expect(200);
      await request(app).post('/auth/login').send({ email: user.email, password: USER_PASSWORD }).expect(200);
    });

    it('a login body with extra fields is 400', async () => {
      expectError(
        await request(app).post('/auth/login').send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password, role: 'admin' }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('bearer authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['a Basic header', { Authorization: 'Basic YWRtaW46YWRtaW4=' }],
      ['a malformed token', { Authorization: 'Bearer not.a.token' }],
    ])('%s is 401 UNAUTHENTICATED with WWW-Authenticate', async (_label, headers) => {
      const res = await request(app).get('/users/me').set(headers);
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('a token signed by another key, expired, for another audience or issuer is 401; an identity header alone is ignored', async () => {
      const admin = decodeJwt(adminToken);
      const now = Math.floor(Date.now() / 1000);
      const mint = (key: KeyLike, claims: { aud?: string; iss?: string; exp?: number; iat?: number; sub?: string } = {}) =>
        new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key-1' })
          .setSubject(claims.sub ?? String(admin.sub))
          .setIssuer(claims.iss ?? 'user-service')
          .setAudience(claims.aud ?? 'platform')
          .setIssuedAt(claims.iat)
          .setExpirationTime(claims.exp ?? '5m')
          .sign(key);
      await request(app)
        .get('/users/me')
        .set(bearer(await mint(signingKey)))
        .expect(200);

      const { privateKey: otherKey } = await generateKeyPair('EdDSA');
      for (const token of [
        await mint(otherKey),
        await mint(signingKey, { exp: Math.floor(Date.now() / 1000) - 60 }),
        await mint(signingKey, { aud: 'someone-else' }),
        await mint(signingKey, { iss: 'evil' }),
        // Issued in the future, older than the token lifetime, or for a subject that is not a user id.
        await mint(signingKey, { iat: now + 3_600, exp: now + 7_200 }),
        await mint(signingKey, { iat: now - 2 * 3_600, exp: now + 3_600 }),
        await mint(signingKey, { sub: 'not-a-uuid' }),
      ]) {
        expectError(await request(app).get('/users/me').set(bearer(token)), 401, 'UNAUTHENTICATED');
      }
      expectError(
        await request(app)
          .get('/users')
          .set({ 'X-User-Id': String(admin.sub), 'X-User-Role': 'admin' }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('the scheme is case-insensitive: bearer and BEARER work', async () => {
      for (const scheme of ['bearer', 'BEARER']) {
        await request(app).get('/users/me').set('Authorization', `${scheme} ${adminToken}`).expect(200);
      }
    });
  });

  describe('reading users', () => {
    it('GET /users/me and GET /users/:id answer the caller', async () => {
      const ada = await client.newUser();
      const me = await request(app).get('/users/me').set(bearer(ada.token)).expect(200);
      expect(me.body).toMatchObject({ id: ada.id, email: ada.email });
      expect(me.body).not.toHaveProperty('passwordHash');
      expect((await request(app).get(`/users/${ada.id}`).set(bearer(ada.token)).expect(200)).body).toEqual(me.body);
    });

    it('a user reading another user is 403; an admin may; an unknown id is 404; a malformed id is 400', async () => {
      const ada = await client.newUser();
      const bob = await client.signUp();
      expectError(await request(app).get(`/users/${bob.id}`).set(bearer(ada.token)), 403, 'FORBIDDEN');
      expect((await request(app).get(`/users/${bob.id}`).set(bearer(adminToken)).expect(200)).body.id).toBe(bob.id);
      expectError(await request(app).get(`/users/${UNKNOWN_ID}`).set(bearer(adminToken)), 404, 'USER_NOT_FOUND');
      for (const malformed of ['42', 'not-a-uuid', "1'%20OR%20'1'='1"]) {
        expectError(await request(app).get(`/users/${malformed}`).set(bearer(adminToken)), 400, 'VALIDATION_FAILED');
      }
    });

    it('GET /users pages oldest first with a total and filters by isActive (admins only)', async () => {
      const created = [await client.signUp(), await client.signUp(), await client.signUp()];
      await request(app).post(`/users/${created[1].id}/deactivate`).set(bearer(adminToken)).expect(200);

      const all = await request(app).get('/users?page=1&limit=100').set(bearer(adminToken)).expect(200);
      expect(all.body).toMatchObject({ page: 1, limit: 100, total: all.body.items.length });
      const ids = all.body.items.map((u: { id: string }) => u.id);
      expect(ids.indexOf(created[0].id)).toBeLessThan(ids.indexOf(created[2].id));
      expect(all.body.items.every((u: object) => !('passwordHash' in u))).toBe(true);

      const page2 = await request(app).get('/users?page=2&limit=1').set(bearer(adminToken)).expect(200);
      expect(page2.body.items.map((u: { id: string }) => u.id)).toEqual([ids[1]]);

      const inactive = await request(app).get('/users?isActive=false').set(bearer(adminToken)).expect(200);
      expect(inactive.body.items.map((u: { id: string }) => u.id)).toContain(created[1].id);
      expect(inactive.body.items.every((u: { isActive: boolean }) => !u.isActive)).toBe(true);
      expect(inactive.body.limit).toBe(20);

      const ada = await client.newUser();
      expectError(await request(app).get('/users').set(bearer(ada.token)), 403, 'FORBIDDEN');
    });

    it.each([
      'page=0',
      'limit=0',
      'limit=101',
      'page=abc',
      'isActive=maybe',
      'sort=email',
      // Numbers are plain decimal digits: what JavaScript's Number() would also read is refused.
      'limit=0x10',
      'limit=1e2',
      'limit=%205',
      'limit=5.0',
      'limit=%2B5',
      'page=1&page=2',
    ])('GET /users?%s is 400', async (query) => {
      expectError(await request(app).get(`/users?${query}`).set(bearer(adminToken)), 400, 'VALIDATION_FAILED');
    });
  });

  describe('caching', () => {
    it('token and personal-data answers say Cache-Control: no-store (errors too); the public keys may be cached', async () => {
      const signup = await request(app)
        .post('/users')
        .send({ email: uniqueEmail('nostore'), name: 'No Store', password: USER_PASSWORD });
      const login = await request(app).post('/auth/login').send({ email: signup.body.email, password: USER_PASSWORD });
      const token = String(login.body.accessToken);
      const answers = [
        signup,
        login,
        await request(app).get('/users/me').set(bearer(token)),
        await request(app).get(`/users/${signup.body.id}`).set(bearer(token)),
        await request(app).patch(`/users/${signup.body.id}`).set(bearer(token)).send({ name: 'Still No Store' }),
        await request(app).get('/users?limit=5').set(bearer(adminToken)),
        await request(app).post('/auth/login').send({ email: signup.body.email, password: 'wrong password 1A' }),
        await request(app).get('/users/me'),
      ];
      expect(answers.map((res) => [res.status, res.headers['cache-control']])).toEqual([
        [201, 'no-store'],
        [200, 'no-store'],
        [200, 'no-store'],
        [200, 'no-store'],
        [200, 'no-store'],
        [200, 'no-store'],
        [401, 'no-store'],
        [401, 'no-store'],
      ]);
      expect((await request(app).get('/.well-known/jwks.json')).headers['cache-control']).toBe('public, max-age=300');
    });
  });

  describe('changing users', () => {
    it('PATCH changes own name and email; user.updated follows; the next read sees it (cache dropped)', async () => {
      const ada = await client.newUser();
      await request(app).get(`/users/${ada.id}`).set(bearer(ada.token)).expect(200); // fills the cache
      const newEmail = uniqueEmail('moved');
      const res = await request(app)
        .patch(`/users/${ada.id}`)
        .set(bearer(ada.token))
        .set('X-Request-Id', 'req-patch-1')
        .send({ name: 'Ada King', email: newEmail });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Ada King', email: newEmail });
      expect((await request(app).get(`/users/${ada.id}`).set(bearer(ada.token))).body).toMatchObject({ name: 'Ada King', email: newEmail });

      await waitUntil(() => sink.events().some((e) => e['aggregateId'] === ada.id && e.type === 'user.updated'));
      expect(sink.events().find((e) => e['aggregateId'] === ada.id && e.type === 'user.updated')).toMatchObject({
        correlationId: 'req-patch-1',
        payload: { changedFields: ['name', 'email'], previousEmail: ada.email, email: newEmail },
      });
    });

    it('PATCH: another user is 403, an admin may, a taken email is 409, an unknown user 404', async () => {
      const ada = await client.newUser();
      const bob = await client.signUp();
      expectError(await request(app).patch(`/users/${bob.id}`).set(bearer(ada.token)).send({ name: 'Hijacked' }), 403, 'FORBIDDEN');
      expect((await request(app).patch(`/users/${bob.id}`).set(bearer(adminToken)).send({ name: 'Robert' }).expect(200)).body.name).toBe(
        'Robert',
      );
      expectError(
        await request(app).patch(`/users/${ada.id}`).set(bearer(ada.token)).send({ email: bob.email.toUpperCase() }),
        409,
        'EMAIL_ALREADY_EXISTS',
      );
      expectError(await request(app).patch(`/users/${UNKNOWN_ID}`).set(bearer(adminToken)).send({ name: 'Nobody' }), 404, 'USER_NOT_FOUND');
    });

    it.each([
      ['role', { role: 'admin' }],
      ['isActive', { isActive: false }],
      ['id', { id: UNKNOWN_ID }],
      ['passwordHash', { passwordHash: 'x' }],
      ['updatedAt', { updatedAt: '2020-01-01T00:00:00Z' }],
      ['nothing', {}],
      ['an invalid email', { email: 'nope' }],
    ])('PATCH with %s is 400 and changes nothing', async (_label, body) => {
      const ada = await client.newUser();
      expectError(await request(app).patch(`/users/${ada.id}`).set(bearer(ada.token)).send(body), 400, 'VALIDATION_FAILED');
      expect((await request(app).get('/users/me').set(bearer(ada.token))).body).toMatchObject({
        role: 'user',
        isActive: true,
        email: ada.email,
      });
    });

    it('PATCH with a malformed id is 400', async () => {
      expectError(await request(app).patch('/users/123').set(bearer(adminToken)).send({ name: 'Valid' }), 400, 'VALIDATION_FAILED');
    });

    it('activate/deactivate: admins only (403 for users, even on themselves), 404 for unknown, 400 for malformed ids', async () => {
      const ada = await client.newUser();
      expectError(await request(app).post(`/users/${ada.id}/deactivate`).set(bearer(ada.token)), 403, 'FORBIDDEN');
      expectError(await request(app).post(`/users/${ada.id}/activate`).set(bearer(ada.token)), 403, 'FORBIDDEN');
      expect((await request(app).post(`/users/${ada.id}/deactivate`).set(bearer(adminToken)).expect(200)).body.isActive).toBe(false);
      expect((await request(app).post(`/users/${ada.id}/activate`).set(bearer(adminToken)).expect(200)).body.isActive).toBe(true);
      expectError(await request(app).post(`/users/${UNKNOWN_ID}/activate`).set(bearer(adminToken)), 404, 'USER_NOT_FOUND');
      expectError(await request(app).post('/users/x/deactivate').set(bearer(adminToken)), 400, 'VALIDATION_FAILED');
    });

    it('DELETE: themself 204 (then gone), another user 403, an admin 204, unknown 404', async () => {
      const ada = await client.newUser();
      const bob = await client.signUp();
      expectError(await request(app).delete(`/users/${bob.id}`).set(bearer(ada.token)), 403, 'FORBIDDEN');
      const own = await request(app).delete(`/users/${ada.id}`).set(bearer(ada.token));
      expect(own.status).toBe(204);
      expect(own.text).toBe('');
      expectError(await request(app).get('/users/me').set(bearer(ada.token)), 404, 'USER_NOT_FOUND');
      await request(app).delete(`/users/${bob.id}`).set(bearer(adminToken)).expect(204);
      expectError(await request(app).delete(`/users/${bob.id}`).set(bearer(adminToken)), 404, 'USER_NOT_FOUND');
      await waitUntil(() => sink.events().some((e) => e['aggregateId'] === bob.id && e.type === 'user.deleted'));
    });
  });

  describe('keys and documentation', () => {
    it('serves the public keys at /.well-known/jwks.json; JwtVerifier (gateway, notification-service) verifies tokens with them', async () => {
      const res = await request(app).get('/.well-known/jwks.json').expect(200);
      expect(res.body.keys[0]).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: 'test-key-1', alg: 'EdDSA', use: 'sig' });
      expect(JSON.stringify(res.body)).not.toContain('"d"');

      const server: Server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const verifier = new JwtVerifier({
          issuer: 'user-service',
          audience: 'platform',
          jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        });
        const ada = await client.newUser();
        await expect(verifier.verify(ada.token)).resolves.toEqual({ userId: ada.id, role: 'user' });
        await expect(verifier.verify(adminToken)).resolves.toMatchObject({ role: 'admin' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('/openapi.json is OpenAPI 3.1 from the validation schemas: every route, bearer security, the common error body', async () => {
      const { body: doc } = await request(app).get('/openapi.json').expect(200);
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/.well-known/jwks.json',
          '/auth/login',
          '/openapi.json',
          '/users',
          '/users/me',
          '/users/{id}',
          '/users/{id}/activate',
          '/users/{id}/deactivate',
        ].sort(),
      );
      expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      expect(doc.paths['/users/{id}'].patch.security).toEqual([{ bearerAuth: [] }]);
      expect(doc.paths['/users'].post.security).toBeUndefined();
      expect(doc.paths['/users/{id}'].delete.responses['403'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/ErrorResponse',
      });
      expect(doc.components.schemas.RegisterUserRequest).toMatchObject({
        additionalProperties: false,
        required: ['email', 'name', 'password'],
      });
      expect(doc.components.schemas.User.properties).not.toHaveProperty('passwordHash');
      expect(doc.paths['/users'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['isActive', 'limit', 'page']);
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
