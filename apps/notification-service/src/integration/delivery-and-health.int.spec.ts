import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { Result } from '@platform/shared-kernel';
import { freePort, waitFor } from '@platform/testing';
import { buildNotificationService } from '../app';
import { parseNotificationServiceConfig } from '../infrastructure/config';
import { capturingLogger, freshEvent, queryDatabase, startTestService, TestPublisher, type TestService } from '../test/service-harness';

const execFileAsync = promisify(execFile);

describe('SMTP outage', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(() => t?.stop());

  it('keeps notifications pending (with attempts and the error) while the mail server fails, without blocking the queue, and sends them once it recovers', async () => {
    t.smtp.failing = true;
    const first = freshEvent('created');
    await t.publisher.publishEvent(first);
    const rowOf = async (userId: string) =>
      (
        await queryDatabase<{ status: string; attempts: number; last_error: string | null }>(
          t.databaseUrl,
          'SELECT status, attempts, last_error FROM notifications WHERE user_id = $1',
          [userId],
        )
      )[0];
    await waitFor(async () => ((await rowOf(first.payload.userId))?.attempts ?? 0) >= 2, { timeoutMs: 10_000 });
    expect(await rowOf(first.payload.userId)).toMatchObject({ status: 'pending', last_error: expect.stringContaining('451') });

    // The consumer is not held up: more events are recorded meanwhile.
    const second = freshEvent('deleted');
    await t.publisher.publishEvent(second);
    await waitFor(async () => (await rowOf(second.payload.userId)) !== undefined);
    expect(await t.publisher.messageCount(t.queue)).toBe(0);
    const ready = await waitFor(
      async () => {
        const res = await request(t.service.app).get('/health/ready').expect(200);
        return res.body.status === 'degraded' ? res : false;
      },
      { timeoutMs: 5_000, description: 'readiness degraded' },
    );
    expect(ready.body).toMatchObject({ status: 'degraded', checks: { mail: { status: 'down', critical: false } } });
    expect(t.smtp.mails).toHaveLength(0);

    t.smtp.failing = false;
    await t.smtp.waitForMail((m) => m.to.includes(first.payload.email));
    await t.smtp.waitForMail((m) => m.to.includes(second.payload.email));
    await waitFor(async () => (await rowOf(first.payload.userId))?.status === 'sent');
    expect(t.smtp.mailsTo(first.payload.email)).toHaveLength(1);
    const metrics = await t.service.metrics.registry.metrics();
    expect(metrics).toMatch(/notifications_failed_total\{kind="welcome",final="false",service="notification-service"\} [1-9]/);
    expect(metrics).toMatch(/notifications_sent_total\{kind="welcome",service="notification-service"\} 1/);
    expect(metrics).toMatch(/notifications_pending\{service="notification-service"\} 0/);
  });
});

describe('broker connection loss', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(() => t?.stop());

  const rabbitmqctl = (...args: string[]) => execFileAsync('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });

  it('reports 503 on /health/ready while disconnected, reconnects on its own and consumes again', async () => {
    await request(t.service.app).get('/health/ready').expect(200);
    // Take the permissions away first, so reconnect attempts fail until we give them back.
    await rabbitmqctl('clear_permissions', '-p', t.vhost.vhost, 'guest');
    await rabbitmqctl('close_all_connections', '-p', t.vhost.vhost, 'test: broker restart');
    await waitFor(() => !t.service.connection.isConnected(), { timeoutMs: 5_000, description: 'the disconnect' });
    // The readiness report is reused for up to a second: poll as a probe would.
    const down = await waitFor(
      async () => {
        const res = await request(t.service.app).get('/health/ready');
        return res.status === 503 ? res : false;
      },
      { timeoutMs: 5_000, description: 'readiness 503' },
    );
    expect(down.body).toMatchObject({ status: 'unavailable', checks: { rabbitmq: { status: 'down', critical: true } } });

    await rabbitmqctl('set_permissions', '-p', t.vhost.vhost, 'guest', '.*', '.*', '.*');
    await waitFor(() => t.service.consumer.isConsuming(), { timeoutMs: 20_000, description: 'the consumer to come back' });
    await waitFor(async () => (await request(t.service.app).get('/health/ready')).status === 200, {
      timeoutMs: 5_000,
      description: 'readiness 200',
    });

    // The test's own publisher lost its connection too.
    await t.publisher.close();
    t.publisher = await TestPublisher.open(t.vhost.url);
    const event = freshEvent('created');
    await t.publisher.publishEvent(event);
    await t.smtp.waitForMail((m) => m.to.includes(event.payload.email));
  });
});

describe('Postgres down', () => {
  it('makes /health/ready answer 503 naming postgres', async () => {
    const config = Result.unwrap(
      parseNotificationServiceConfig({
        NODE_ENV: 'test',
        DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/notifications`,
        RABBITMQ_URL: process.env['TEST_RABBITMQ_URL'],
      }),
    );
    const service = buildNotificationService(config, { logger: capturingLogger().logger });
    try {
      const res = await request(service.app).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'unavailable', checks: { postgres: { status: 'down', critical: true } } });
      expect(JSON.stringify(res.body)).not.toContain('guest:guest');
    } finally {
      await service.stop();
    }
  });
});
