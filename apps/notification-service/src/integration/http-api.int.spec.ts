import request from 'supertest';
import { waitFor } from '@platform/testing';
import { freshEvent, startTestService, type TestService } from '../test/service-harness';
import { startTestTokenIssuer, type TestTokenIssuer } from '../test/test-tokens';

describe('HTTP API (composed app, real Postgres, tokens checked against a JWKS endpoint)', () => {
  let t: TestService;
  let issuer: TestTokenIssuer;
  const ada = freshEvent('created').payload.userId;
  const bob = freshEvent('created').payload.userId;
  const adminId = freshEvent('created').payload.userId;
  let adaToken: string;
  let bobToken: string;
  let adminToken: string;

  beforeAll(async () => {
    issuer = await startTestTokenIssuer();
    t = await startTestService({ sharedVhost: true, env: { JWKS_URL: issuer.jwksUrl } });
    adaToken = await issuer.sign({ sub: ada, role: 'user' });
    bobToken = await issuer.sign({ sub: bob, role: 'user' });
    adminToken = await issuer.sign({ sub: adminId, role: 'admin' });
    // Ada: welcome, then an email change (two mails); Bob: welcome.
    await t.publisher.publishEvent(freshEvent('created', { userId: ada }));
    await t.publisher.publishEvent(freshEvent('updatedEmail', { userId: ada }));
    await t.publisher.publishEvent(freshEvent('created', { userId: bob }));
    await waitFor(() => t.smtp.mails.length === 4, { description: 'four mails' });
  });
  afterAll(async () => {
    await t?.stop();
    await issuer?.close();
  });

  const get = (path: string, token?: string) => {
    const req = request(t.service.app).get(path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };
  const expectError = (body: unknown, code: string) =>
    expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }) });

  it('a user lists their own notifications, newest first, with the documented fields and nothing more', async () => {
    const res = await get('/notifications', adaToken).expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 20, total: 3 });
    expect(res.body.items.map((n: { type: string }) => n.type).sort()).toEqual(['email-changed-new', 'email-changed-old', 'welcome']);
    expect(res.body.items[2].type).toBe('welcome');
    await waitFor(async () => (await get('/notifications', adaToken)).body.items.every((n: { status: string }) => n.status === 'sent'));
    const item = (await get('/notifications', adaToken)).body.items[0];
    expect(Object.keys(item).sort()).toEqual(
      ['attempts', 'createdAt', 'eventId', 'id', 'recipient', 'sentAt', 'status', 'subject', 'type', 'userId'].sort(),
    );
    expect(item).toMatchObject({ userId: ada, status: 'sent', attempts: 1, sentAt: expect.any(String) });
    expect((await get(`/notifications?userId=${ada}&page=2&limit=2`, adaToken).expect(200)).body).toMatchObject({
      page: 2,
      limit: 2,
      total: 3,
    });
  });

  it('a user gets one of their notifications by id; another user gets 404 for it', async () => {
    const [first] = (await get('/notifications', adaToken)).body.items;
    expect((await get(`/notifications/${first.id}`, adaToken).expect(200)).body).toEqual(first);
    expectError((await get(`/notifications/${first.id}`, bobToken).expect(404)).body, 'NOTIFICATION_NOT_FOUND');
  });

  it("a user asking for another user's notifications gets 403", async () => {
    expectError((await get(`/notifications?userId=${ada}`, bobToken).expect(403)).body, 'FORBIDDEN');
  });

  it('an admin sees everyone, or one user', async () => {
    const all = (await get('/notifications?limit=100', adminToken).expect(200)).body;
    expect(all.total).toBe(4);
    const bobs = (await get(`/notifications?userId=${bob}`, adminToken).expect(200)).body;
    expect(bobs.items.map((n: { userId: string }) => n.userId)).toEqual([bob]);
    const [bobsWelcome] = bobs.items;
    await get(`/notifications/${bobsWelcome.id}`, adminToken).expect(200);
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'not-a-jwt'],
  ])('answers 401 with %s', async (_label, token) => {
    const res = await get('/notifications', token).expect(401);
    expectError(res.body, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 401 for a token signed with another key or expired', async () => {
    for (const token of [
      await issuer.sign({ sub: ada, role: 'user' }, { foreignKey: true }),
      await issuer.sign({ sub: ada, role: 'user' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
    ]) {
      expectError((await get('/notifications', token).expect(401)).body, 'UNAUTHENTICATED');
    }
  });

  it('answers 401, not 500, for a validly signed token whose sub is not a UUID, and accepts a lower-case bearer scheme', async () => {
    for (const sub of ['not-a-uuid', "' OR 1=1 --", `${ada}\n`]) {
      expectError((await get('/notifications', await issuer.sign({ sub, role: 'admin' })).expect(401)).body, 'UNAUTHENTICATED');
    }
    await request(t.service.app).get('/notifications').set('Authorization', `bearer ${adaToken}`).expect(200);
  });

  it('marks personal answers as not storable by any cache (Cache-Control: no-store)', async () => {
    const list = await get('/notifications', adaToken).expect(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const [first] = list.body.items;
    expect((await get(`/notifications/${first.id}`, adaToken).expect(200)).headers['cache-control']).toBe('no-store');
    expect((await get('/notifications', bobToken.slice(0, -2)).expect(401)).headers['cache-control']).toBe('no-store');
  });

  it.each([
    '/notifications?unknown=1',
    '/notifications?page=0',
    '/notifications?limit=101',
    '/notifications?limit=abc',
    // Numbers are plain decimal digits: what JavaScript's Number() would also read is refused.
    '/notifications?limit=0x10',
    '/notifications?limit=1e2',
    '/notifications?limit=%205',
    '/notifications?limit=5.0',
    '/notifications?limit=%2B5',
    '/notifications?page=-1',
    '/notifications?page=',
    '/notifications?page=1&page=2',
    '/notifications?userId=not-a-uuid',
    '/notifications/not-a-uuid',
  ])('answers 400 VALIDATION_FAILED for %s', async (path) => {
    const res = await get(path, adminToken).expect(400);
    expectError(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details.issues.length).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown id and an unknown route', async () => {
    expectError((await get(`/notifications/${globalThis.crypto.randomUUID()}`, adminToken).expect(404)).body, 'NOTIFICATION_NOT_FOUND');
    expectError((await get('/nope', adminToken).expect(404)).body, 'NOT_FOUND');
  });

  it('serves an OpenAPI 3.1 document built from the request schemas', async () => {
    const doc = (await get('/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const list = doc.paths['/notifications'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual([
      'query:limit',
      'query:page',
      'query:userId',
    ]);
    expect(Object.keys(list.responses).sort()).toEqual(['200', '400', '401', '403', '503']);
    expect(doc.paths['/notifications/{id}'].get.parameters[0]).toMatchObject({ in: 'path', name: 'id', required: true });
    expect(doc.components.schemas.Notification.properties.type.enum).toContain('email-changed-old');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves health and metrics with the consumer and delivery counters', async () => {
    await get('/health/live').expect(200);
    await get('/health/ready').expect(200);
    const metrics = (await get('/metrics').expect(200)).text;
    for (const name of [
      'notification_consumer_processed_total',
      'notification_consumer_retried_total',
      'notification_consumer_dead_lettered_total',
      'notification_consumer_unknown_event_types_total',
      'notifications_sent_total',
      'notifications_failed_total',
      'notifications_pending',
    ]) {
      expect(metrics).toContain(`# TYPE ${name}`);
    }
    expect(metrics).toMatch(/notification_consumer_processed_total\{routing_key="user.created.v1",service="notification-service"\} 2/);
  });
});
