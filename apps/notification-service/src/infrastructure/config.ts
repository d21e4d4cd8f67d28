import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { baseConfigShape, type ConfigIssue, loadConfig, parseConfig } from '@platform/service-runtime';
import { Result } from '@platform/shared-kernel';

export const SERVICE_NAME = 'notification-service';

const positiveInt = (fallback: number, max = 1_000_000_000) => z.coerce.number().int().min(1).max(max).default(fallback);

/** `1000,10000,60000` → [1000, 10000, 60000]. */
const delayList = (fallback: string) =>
  z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated milliseconds, e.g. 1000,10000,60000')
    .default(fallback)
    .transform((value) => value.split(',').map((part) => Number(part.trim())));

/** tmp/mail under the workspace when run from it (nx serve), else under the OS temp folder. */
export function defaultMailOutboxDir(cwd = process.cwd()): string {
  return existsSync(path.join(cwd, 'nx.json')) ? path.join(cwd, 'tmp', 'mail') : path.join(os.tmpdir(), 'notification-service-mail');
}

export const configSchema = z
  .object({
    ...baseConfigShape,
    PORT: z.coerce.number().int().min(1).max(65_535).default(3002),
    DATABASE_URL: z.url().default('postgresql://postgres@127.0.0.1:5432/notifications'),
    DATABASE_POOL_SIZE: positiveInt(10, 100),
    RABBITMQ_URL: z.url().default('amqp://guest:guest@127.0.0.1:5672'),
    /** Reconnect backoff (full jitter): the first delay cap, doubling up to the max. */
    RABBITMQ_RECONNECT_BASE_DELAY_MS: positiveInt(500, 60_000),
    RABBITMQ_RECONNECT_MAX_DELAY_MS: positiveInt(30_000, 600_000),
    CONSUMER_QUEUE: z.string().min(1).default('notification-service.user-events'),
    CONSUMER_PREFETCH: positiveInt(20, 1_000),
    CONSUMER_MAX_ATTEMPTS: positiveInt(5, 100),
    CONSUMER_RETRY_DELAYS_MS: delayList('1000,10000,60000'),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Platform <no-reply@platform.local>'),
    MAIL_OUTBOX_DIR: z.string().min(1).optional(),
    SENDER_POLL_INTERVAL_MS: positiveInt(1_000, 600_000),
    SENDER_BATCH_SIZE: positiveInt(20, 500),
    SENDER_LEASE_MS: positiveInt(60_000),
    SENDER_MAX_ATTEMPTS: positiveInt(10, 1_000),
    SENDER_RETRY_BASE_DELAY_MS: positiveInt(5_000),
    SENDER_RETRY_MAX_DELAY_MS: positiveInt(3_600_000),
    JWKS_URL: z.url().default('http://127.0.0.1:3001/.well-known/jwks.json'),
    JWT_ISSUER: z.string().min(1).default('user-service'),
    JWT_AUDIENCE: z.string().min(1).default('platform'),
    /** A token issued longer ago than this is refused whatever its expiry (keep it ≥ user-service's ACCESS_TOKEN_TTL_SECONDS). */
    JWT_MAX_TOKEN_AGE_SECONDS: positiveInt(86_400, 31_536_000),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required in production' });
    }
  });

export type NotificationServiceConfig = Omit<z.output<typeof configSchema>, 'MAIL_OUTBOX_DIR'> & {
  /** Absolute; where mails go as .eml files when SMTP_URL is unset. */
  MAIL_OUTBOX_DIR: string;
};

function resolveDefaults(config: z.output<typeof configSchema>): NotificationServiceConfig {
  return { ...config, MAIL_OUTBOX_DIR: path.resolve(config.MAIL_OUTBOX_DIR ?? defaultMailOutboxDir()) };
}

/** For tests and tools: the config or the list of problems. */
export function parseNotificationServiceConfig(
  env: Record<string, string | undefined> = process.env,
): Result<NotificationServiceConfig, ConfigIssue[]> {
  return Result.map(parseConfig(configSchema, env), resolveDefaults);
}

/** For main.ts: the config, or every problem on stderr and exit code 1. */
export function loadNotificationServiceConfig(env: Record<string, string | undefined> = process.env): NotificationServiceConfig {
  return resolveDefaults(loadConfig(configSchema, env, SERVICE_NAME));
}
