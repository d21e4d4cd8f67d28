import { freePort } from '@platform/testing';
import request from 'supertest';
import { buildUserService, type UserService } from '../../app';
import { captureLogs } from '../support/capture-logs';
import { USER_PASSWORD, uniqueEmail } from '../support/http-client';
import { isolatedDatabase, startTestService, testConfig, type TestService } from '../support/test-service';

describe('protocol errors, health and metrics', () => {
  let testService: TestService;
  let app: UserService['app'];

  beforeAll(async () => {
    testService = await startTestService({ BODY_LIMIT: '1kb' });
    app = testService.service.app;
  });

  afterAll(() => testService?.close());

  const signUpBody = () => ({ email: uniqueEmail(), name: 'Protocol Tester', password: USER_PASSWORD });

  it('a body over BODY_LIMIT is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(app)
      .post('/users')
      .send({ ...signUpBody(), name: 'x'.repeat(2_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
  });

  it('a body that is not JSON is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await request(app).post('/users').set('Content-Type', 'text/plain').send('email=a@b.c&password=x');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await request(app).post('/auth/login').type('form').send({ email: 'a@b.c', password: 'x' });
    expect(form.status).toBe(415);
  });

  it('malformed JSON is 400 MALFORMED_JSON; an unknown route is 404 NOT_FOUND', async () => {
    const res = await request(app).post('/users').set('Content-Type', 'application/json').send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
    expect((await request(app).get('/nope')).body.error.code).toBe('NOT_FOUND');
  });

  it('health: live, and ready with Postgres (critical), RabbitMQ and Redis (not critical) up', async () => {
    await request(app).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(app).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      checks: {
        postgres: { status: 'up', critical: true },
        rabbitmq: { status: 'up', critical: false },
        redis: { status: 'up', critical: false },
      },
    });
  });

  it('/metrics has HTTP timings, outbox gauges and counters, and cache lookups', async () => {
    const user = (await request(app).post('/users').send(signUpBody()).expect(201)).body;
    const token = (await request(app).post('/auth/login').send({ email: user.email, password: USER_PASSWORD }).expect(200)).body
      .accessToken;
    await request(app).get(`/users/${user.id}`).set('Authorization', `Bearer ${token}`).expect(200);
    const text = (await request(app).get('/metrics').expect(200)).text;
    for (const metric of [
      'http_request_duration_seconds_bucket',
      'route="/users/:id"',
      'outbox_pending_messages',
      'outbox_oldest_pending_age_seconds',
      'outbox_published_total',
      'outbox_publish_failures_total',
      'user_cache_lookups_total{result="miss"',
    ]) {
      expect(text).toContain(metric);
    }
  });

  it('with RabbitMQ and Redis unreachable: ready but degraded, sign-ups still succeed (outbox) and reads use the database', async () => {
    const database = await isolatedDatabase();
    const [deadBroker, deadRedis] = [await freePort(), await freePort()];
    const service = await buildUserService(
      testConfig({
        DATABASE_URL: database.url,
        RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${deadBroker}`,
        REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
      }),
      { logger: captureLogs().logger },
    );
    try {
      await service.start();
      const ready = await request(service.app).get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'degraded',
        checks: { postgres: { status: 'up' }, rabbitmq: { status: 'down' }, redis: { status: 'down' } },
      });

      const user = (await request(service.app).post('/users').send(signUpBody()).expect(201)).body;
      const token = (await request(service.app).post('/auth/login').send({ email: user.email, password: USER_PASSWORD }).expect(200)).body
        .accessToken;
      await request(service.app).get(`/users/${user.id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(await service.prisma.outboxMessage.count({ where: { publishedAt: null } })).toBe(1);
    } finally {
      await service.stop();
      await database.dispose();
    }
  });

  it('with the database gone: 500 INTERNAL without detail (logged), and not ready (503)', async () => {
    const database = await isolatedDatabase();
    await database.dispose();
    const logs = captureLogs();
    const service = await buildUserService(testConfig({ DATABASE_URL: database.url }), { logger: logs.logger });
    try {
      const res = await request(service.app).post('/users').send(signUpBody());
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: res.headers['x-request-id'] } });
      expect(logs.records().some((line) => line['message'] === 'Request failed' && line['requestId'] === res.headers['x-request-id'])).toBe(
        true,
      );

      const ready = await request(service.app).get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { postgres: { status: 'down', critical: true } } });
    } finally {
      await service.stop();
    }
  });
});
