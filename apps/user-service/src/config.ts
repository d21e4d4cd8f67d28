import { USER_EVENTS_EXCHANGE } from '@platform/event-contracts';
import { baseConfigShape } from '@platform/service-runtime';
import { z } from 'zod';
import { weakAdminPasswordProblem } from './infrastructure/security/admin-password-policy';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting of user-service, from environment variables. The defaults let `nx serve user-service` run
 * on a developer machine with the local Postgres, Redis and RabbitMQ; `.env.example` lists them all.
 */
export const userServiceConfigSchema = z
  .object({
    ...baseConfigShape,
    PORT: int(1, 65_535).default(3001),

    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .default('postgresql://postgres@127.0.0.1:5432/users'),
    DATABASE_POOL_SIZE: int(1, 100).default(10),

    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    REDIS_KEY_PREFIX: z.string().max(100).default('user-service:'),
    REDIS_COMMAND_TIMEOUT_MS: int(10, 10_000).default(250),
    CACHE_TTL_SECONDS: int(1, 86_400).default(60),

    RABBITMQ_URL: z
      .string()
      .regex(/^amqps?:\/\//, 'must be an amqp:// URL')
      .default('amqp://guest:guest@127.0.0.1:5672'),
    USER_EVENTS_EXCHANGE: z.string().min(1).max(255).default(USER_EVENTS_EXCHANGE),
    OUTBOX_BATCH_SIZE: int(1, 1_000).default(200),
    OUTBOX_POLL_INTERVAL_MS: int(10, 60_000).default(500),
    OUTBOX_CONFIRM_TIMEOUT_MS: int(100, 120_000).default(10_000),
    OUTBOX_RETENTION_HOURS: int(1, 24 * 365).default(168),
    /** A row whose publish failed (e.g. unroutable: no consumer queue yet) is tried again after this, doubling per attempt… */
    OUTBOX_RETRY_BASE_DELAY_MS: int(10, 600_000).default(1_000),
    /** …up to this. */
    OUTBOX_RETRY_MAX_DELAY_MS: int(10, 3_600_000).default(60_000),

    BCRYPT_COST: int(4, 15).default(12),
    /**
     * bcrypt hashes computed at once (each takes a libuv thread and most of a core: about the cores the pod
     * has, and below UV_THREADPOOL_SIZE, 4, so DNS and other pool work still get a thread) and the ones that
     * may wait for a slot; beyond that a login or sign-up is answered 429 SERVICE_BUSY at once.
     */
    BCRYPT_MAX_CONCURRENT: int(1, 64).default(2),
    BCRYPT_MAX_QUEUED: int(0, 1_000).default(8),

    JWT_ISSUER: z.string().min(1).default('user-service'),
    JWT_AUDIENCE: z.string().min(1).default('platform'),
    ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400).default(900),
    /** Ed25519 private key, PKCS8 PEM (literal `\n` sequences are accepted for one-line env files). */
    JWT_PRIVATE_KEY: z
      .string()
      .transform((pem) => pem.replace(/\\n/g, '\n'))
      .refine((pem) => pem.includes('-----BEGIN PRIVATE KEY-----'), 'must be a PKCS8 PEM (-----BEGIN PRIVATE KEY-----)')
      .optional(),
    JWT_KEY_ID: z.string().min(1).max(200).optional(),
    /** Earlier public keys still accepted during a key rotation: a JSON array of JWKs (or `{"keys":[...]}`) with a `kid` each. */
    JWT_PREVIOUS_PUBLIC_KEYS: z
      .string()
      .transform((text, ctx) => {
        try {
          const parsed = JSON.parse(text) as unknown;
          return Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON' });
          return z.NEVER;
        }
      })
      .pipe(z.array(z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string().min(1) })))
      .optional(),

    ADMIN_EMAIL: z.string().optional(),
    ADMIN_PASSWORD: z.string().optional(),
    ADMIN_NAME: z.string().default('Administrator'),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.JWT_PRIVATE_KEY) {
      ctx.addIssue({ code: 'custom', path: ['JWT_PRIVATE_KEY'], message: 'is required in production (an Ed25519 PKCS8 PEM)' });
    }
    // The admin account is the most valuable one: in production a guessable password is a start-up error.
    const weakAdminPassword = config.NODE_ENV === 'production' && config.ADMIN_PASSWORD && weakAdminPasswordProblem(config.ADMIN_PASSWORD);
    if (weakAdminPassword) ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: weakAdminPassword });
    if (Boolean(config.ADMIN_EMAIL) !== Boolean(config.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
      });
    }
  });

export type UserServiceConfig = z.infer<typeof userServiceConfigSchema>;
