import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { Health } from '../health';
import { Metrics } from '../metrics';
import { captureLogger } from '../test/capture-logger';
import { createServiceApp } from './create-service-app';
import { HttpError } from './http-error';
import { validateRequest } from './validate';

class UserNotFound extends Error {
  readonly code = 'USER_NOT_FOUND';
}

function buildApp() {
  const { logger, lines } = captureLogger();
  const metrics = new Metrics('test');
  const app = createServiceApp({
    logger,
    health: new Health(),
    metrics,
    jsonBodyLimit: '1kb',
    statusByCode: { USER_NOT_FOUND: 404 },
    routes: (router) => {
      router.post('/echo', (req, res) => {
        const body = validateRequest(z.strictObject({ name: z.string().min(2) }), req.body, 'body');
        res.status(201).json(body);
      });
      router.get('/users/:id', () => {
        throw new UserNotFound('User not found');
      });
      router.get('/database-down', () => {
        // The shape Prisma gives an unreachable database, and a driver error wrapped in a cause.
        throw Object.assign(new Error("Can't reach database server at 10.0.0.5:5432"), { code: 'P1001' });
      });
      router.get('/database-shutting-down', () => {
        throw Object.assign(new Error('Database error'), {
          code: 'P2039',
          meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } },
        });
      });
      router.get('/explode', () => {
        throw new Error('database password is hunter2');
      });
      router.get('/teapot', () => {
        throw new HttpError(418, 'TEAPOT', 'I am a teapot', { brew: 'tea' }, { 'Retry-After': '3' });
      });
      router.get('/async-explode', async () => {
        await Promise.resolve();
        throw new TypeError('undefined is not a function');
      });
      router.get('/whoami', (req, res) => {
        res.json({ requestId: req.headers['x-request-id'] });
      });
    },
  });
  return { app, lines, metrics };
}

const errorBody = (code: string) => ({
  error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }),
});

describe('createServiceApp', () => {
  it('accepts valid JSON', async () => {
    const { app } = buildApp();
    await request(app).post('/echo').send({ name: 'Ada' }).expect(201, { name: 'Ada' });
  });

  it('rejects unknown fields with 400 VALIDATION_FAILED and names them', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/echo').send({ name: 'Ada', role: 'admin' }).expect(400);
    expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
    expect(res.body.error.details.issues[0]).toEqual({ location: 'body', path: '', message: 'Unknown or forbidden field(s): role' });
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"name":').expect(400);
    expect(res.body).toEqual(errorBody('MALFORMED_JSON'));
  });

  it('answers a non-JSON body with 415', async () => {
    const { app } = buildApp();
    const res = await request(app).post('/echo').set('Content-Type', 'text/plain').send('name=Ada').expect(415);
    expect(res.body).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'));
  });

  it('answers a body over the limit with 413', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/echo')
      .send({ name: 'x'.repeat(2_000) })
      .expect(413);
    expect(res.body).toEqual(errorBody('PAYLOAD_TOO_LARGE'));
  });

  it('maps error codes through the table', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/users/7').expect(404);
    expect(res.body.error).toMatchObject({ code: 'USER_NOT_FOUND', message: 'User not found' });
  });

  it('passes HttpError status, details and headers through', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/teapot').expect(418);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body.error).toMatchObject({ code: 'TEAPOT', details: { brew: 'tea' } });
  });

  it.each(['/explode', '/async-explode'])('answers unknown errors from %s with a generic 500 and logs them redacted', async (path) => {
    const { app, lines } = buildApp();
    const res = await request(app).get(path).expect(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error', requestId: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|stack|function/);
    const logged = lines().find((line) => line['message'] === 'Request failed');
    expect(logged?.['err']).toBeDefined();
  });

  it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
    const { app } = buildApp();
    for (const path of ['/users/%FF', '/users/%E0%A4%A', '/users/%']) {
      const res = await request(app).get(path).expect(400);
      expect(res.body).toEqual(errorBody('MALFORMED_URL'));
    }
  });

  it.each(['utf-7', 'UTF-16', 'utf-16le', 'utf-32', 'iso-8859-1', 'utf8', 'us-ascii'])(
    'refuses a JSON body declared as charset=%s with 415 (one reading of every body: UTF-8 only)',
    async (charset) => {
      const { app } = buildApp();
      const res = await request(app)
        .post('/echo')
        .set('Content-Type', `application/json; charset=${charset}`)
        .send('{"name":"Ada"}')
        .expect(415);
      expect(res.body).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'));
    },
  );

  it.each(['application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json'])(
    'reads a JSON body declared as %s',
    async (type) => {
      const { app } = buildApp();
      await request(app).post('/echo').set('Content-Type', type).send('{"name":"Ada"}').expect(201, { name: 'Ada' });
    },
  );

  it.each([
    ['UTF-8', [0xef, 0xbb, 0xbf]],
    ['UTF-16 BE', [0xfe, 0xff]],
    ['UTF-16 LE', [0xff, 0xfe]],
  ])('refuses a body that starts with a %s byte order mark (400 MALFORMED_JSON)', async (_name, mark) => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      // As bytes: superagent would serialise a Buffer as JSON (it sends what serialize returns as is).
      .serialize((bytes: Buffer) => bytes as unknown as string)
      .send(Buffer.concat([Buffer.from(mark), Buffer.from('{"name":"Ada"}')]))
      .expect(400);
    expect(res.body).toEqual(errorBody('MALFORMED_JSON'));
  });

  it.each([
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a lone continuation byte', [0x80]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('refuses a body that is not valid UTF-8 (%s) with 400 MALFORMED_JSON instead of reading it as U+FFFD', async (_name, bytes) => {
    const { app } = buildApp();
    const res = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .serialize((body: Buffer) => body as unknown as string)
      .send(Buffer.concat([Buffer.from('{"name":"A'), Buffer.from(bytes), Buffer.from('"}')]))
      .expect(400);
    expect(res.body).toEqual(errorBody('MALFORMED_JSON'));
  });

  it('refuses a compressed (or falsely labelled compressed) body with 415', async () => {
    const { app } = buildApp();
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await request(app)
        .post('/echo')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('{"name":"Ada"}')
        .expect(415);
      expect(res.body).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'));
    }
  });

  it.each(['/database-down', '/database-shutting-down'])(
    'answers %s with 503 and Retry-After, without the internal detail',
    async (path) => {
      const { app, lines } = buildApp();
      const res = await request(app).get(path).expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual(errorBody('SERVICE_UNAVAILABLE'));
      expect(JSON.stringify(res.body)).not.toContain('10.0.0.5');
      expect(lines().filter((line) => line['level'] === 'error')).toEqual([]);
    },
  );

  it('answers unknown routes with a JSON 404', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/nope').expect(404);
    expect(res.body).toEqual(errorBody('NOT_FOUND'));
  });

  describe('request id', () => {
    it('keeps a well-formed incoming id and returns it', async () => {
      const { app, lines } = buildApp();
      const res = await request(app).get('/whoami').set('x-request-id', 'client-id.1:2').expect(200);
      expect(res.headers['x-request-id']).toBe('client-id.1:2');
      expect(res.body.requestId).toBe('client-id.1:2');
      expect(lines().find((l) => l['message'] === 'HTTP request')?.['requestId']).toBe('client-id.1:2');
    });

    it.each(['has spaces', 'x'.repeat(129), '<script>', ''])('replaces the malformed id %p with a UUID', async (bad) => {
      const { app } = buildApp();
      const res = await request(app).get('/whoami').set('x-request-id', bad).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('puts the request id in error bodies', async () => {
      const { app } = buildApp();
      const res = await request(app).get('/nope').set('x-request-id', 'abc').expect(404);
      expect(res.body.error.requestId).toBe('abc');
    });
  });

  it('records request durations by route template, not raw path', async () => {
    const { app, metrics } = buildApp();
    await request(app).get('/users/123');
    await request(app).get('/users/456');
    await request(app).get('/random/path');
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{service="test",method="GET",route="/users/:id",status_code="404"} 2');
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain('/users/123');
    const res = await request(app).get('/metrics').expect(200);
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  it('validateRequest works outside express too', () => {
    expect(() => validateRequest(z.object({ page: z.coerce.number().min(1) }), { page: '0' }, 'query')).toThrow(HttpError);
    expect(express).toBeDefined();
  });
});
