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
    const health = new Health(50).register('slow', () => new Promise(() => undefined));
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
});
