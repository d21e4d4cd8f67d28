import express from 'express';
import request from 'supertest';
import { Health } from './health';

function appWith(health: Health) {
  return express().use(health.router());
}

describe('Health', () => {
  it('live is always 200', async () => {
    const health = new Health().register('db', () => Promise.reject(new Error('down')));
    await request(appWith(health)).get('/health/live').expect(200, { status: 'ok' });
  });

  it('ready is 200 when every check passes', async () => {
    const health = new Health().register('db', async () => undefined);
    const res = await request(appWith(health)).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { db: { status: 'up', critical: true, latencyMs: expect.any(Number) } } });
  });

  it('ready is 503 with per-check status when a critical check fails, without leaking credentials', async () => {
    const health = new Health()
      .register('db', () => Promise.reject(new Error('connect postgresql://u:pw-123@db failed')))
      .register('cache', async () => undefined, { critical: false });
    const res = await request(appWith(health)).get('/health/ready').expect(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.db).toMatchObject({ status: 'down', critical: true });
    expect(res.body.checks.db.error).not.toContain('pw-123');
    expect(res.body.checks.cache.status).toBe('up');
  });

  it('a failing non-critical check degrades but stays ready', async () => {
    const health = new Health().register('cache', () => Promise.reject(new Error('no redis')), { critical: false });
    const res = await request(appWith(health)).get('/health/ready').expect(200);
    expect(res.body.status).toBe('degraded');
  });

  it('a check that hangs fails after the check timeout', async () => {
    const health = new Health({ checkTimeoutMs: 50 }).register('slow', () => new Promise(() => undefined));
    const started = Date.now();
    const res = await request(appWith(health)).get('/health/ready').expect(503);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.body.checks.slow.error).toContain('timed out');
  });

  it('ready is 503 once shutting down', async () => {
    const health = new Health().register('db', async () => undefined);
    health.markShuttingDown();
    const res = await request(appWith(health)).get('/health/ready').expect(503);
    expect(res.body.status).toBe('shutting_down');
  });

  it('runs the checks at most once per cache period however often readiness is asked, and shows a change after it', async () => {
    let calls = 0;
    let up = true;
    const health = new Health({ cacheMs: 200 }).register('upstream', async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (!up) throw new Error('down');
    });
    const app = appWith(health);
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(app).get('/health/ready')));
    expect(answers.every((res) => res.status === 200)).toBe(true);
    expect(calls).toBe(1);

    up = false;
    expect((await request(app).get('/health/ready')).status).toBe(200); // within the period: the report is reused
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await request(app).get('/health/ready')).status).toBe(503);
    expect(calls).toBe(2);
  });

  it('shows shutting down at once, even with a report cached', async () => {
    const health = new Health({ cacheMs: 60_000 }).register('db', async () => undefined);
    await request(appWith(health)).get('/health/ready').expect(200);
    health.markShuttingDown();
    expect((await request(appWith(health)).get('/health/ready').expect(503)).body.status).toBe('shutting_down');
  });

  it('serves only liveness when readiness is kept off this router (a public port)', async () => {
    const app = express().use(new Health().register('db', async () => undefined).router({ readiness: false }));
    await request(app).get('/health/live').expect(200);
    await request(app).get('/health/ready').expect(404);
  });
});
