import path from 'node:path';
import { parseNotificationServiceConfig } from './config';

describe('notification-service config', () => {
  it('has defaults that work on a developer machine with no .env', () => {
    const result = parseNotificationServiceConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      PORT: 3002,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/notifications',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      CONSUMER_QUEUE: 'notification-service.user-events',
      CONSUMER_RETRY_DELAYS_MS: [1_000, 10_000, 60_000],
      JWKS_URL: 'http://127.0.0.1:3001/.well-known/jwks.json',
      JWT_ISSUER: 'user-service',
      JWT_AUDIENCE: 'platform',
    });
    expect(result.value.SMTP_URL).toBeUndefined();
    expect(path.isAbsolute(result.value.MAIL_OUTBOX_DIR)).toBe(true);
  });

  it('requires SMTP_URL in production', () => {
    expect(parseNotificationServiceConfig({ NODE_ENV: 'production' })).toEqual({
      ok: false,
      error: [{ variable: 'SMTP_URL', problem: 'is required in production' }],
    });
    expect(parseNotificationServiceConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail:25' }).ok).toBe(true);
  });

  it('parses the retry ladder and rejects nonsense without echoing values', () => {
    const ok = parseNotificationServiceConfig({ CONSUMER_RETRY_DELAYS_MS: '50, 100,200' });
    expect(ok.ok && ok.value.CONSUMER_RETRY_DELAYS_MS).toEqual([50, 100, 200]);
    const bad = parseNotificationServiceConfig({ CONSUMER_RETRY_DELAYS_MS: 'soon', CONSUMER_PREFETCH: '0', SMTP_URL: 'http://secret@x' });
    expect(!bad.ok && bad.error.map((issue) => issue.variable).sort()).toEqual([
      'CONSUMER_PREFETCH',
      'CONSUMER_RETRY_DELAYS_MS',
      'SMTP_URL',
    ]);
    expect(JSON.stringify(bad)).not.toContain('secret');
  });
});
