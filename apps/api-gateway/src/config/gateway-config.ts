import { baseConfigShape, parseConfig } from '@platform/service-runtime';
import { z } from 'zod';

export const SERVICE_NAME = 'api-gateway';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const positiveInt = (fallback: number, max = 2_147_483_647) => z.coerce.number().int().min(1).max(max).default(fallback);
const byteSize = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
    .default(fallback);

/**
 * Every setting of the gateway, from the environment. The defaults let `npx nx serve api-gateway` run on a
 * developer machine with the other apps on their default ports; `.env.example` lists each one.
 */
export const gatewayEnvSchema = z.object({
  ...baseConfigShape,
  PORT: port(3000),
  /** Prometheus metrics and the detailed readiness (`/health/ready`) are served on this separate, internal port only (never on PORT). */
  METRICS_PORT: port(9100),

  USER_SERVICE_URL: z.url().default('http://127.0.0.1:3001'),
  NOTIFICATION_SERVICE_URL: z.url().default('http://127.0.0.1:3002'),
  /** Deadline for an upstream's response headers; past it the client gets 504 UPSTREAM_TIMEOUT. */
  UPSTREAM_TIMEOUT_MS: positiveInt(5_000, 300_000),
  /** Keep-alive sockets per upstream (concurrent requests beyond it queue in the agent). */
  UPSTREAM_MAX_SOCKETS: positiveInt(256, 10_000),
  /**
   * Idle keep-alive sockets are closed after this (must stay below the upstreams' 65 s keepAliveTimeout); an
   * upstream silent this long in the middle of a response is cut.
   */
  UPSTREAM_FREE_SOCKET_TIMEOUT_MS: positiveInt(30_000, 60_000),
  /**
   * An upstream's circuit opens once, within CIRCUIT_WINDOW_MS, at least CIRCUIT_FAILURE_THRESHOLD of its
   * calls failed (connection errors, timeouts, 5xx) and they are at least CIRCUIT_FAILURE_RATE of its calls.
   */
  CIRCUIT_FAILURE_THRESHOLD: positiveInt(5, 1_000),
  CIRCUIT_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.5),
  CIRCUIT_WINDOW_MS: positiveInt(10_000, 600_000),
  /** How long an open circuit answers 503 at once before it lets a trial request through. */
  CIRCUIT_RESET_TIMEOUT_MS: positiveInt(5_000, 600_000),
  /** Trial requests let through at the same time while half-open. */
  CIRCUIT_HALF_OPEN_MAX_CONCURRENT: positiveInt(1, 100),

  /** Where the access-token signing keys are; defaults to `${USER_SERVICE_URL}/.well-known/jwks.json`. */
  JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).default('user-service'),
  JWT_AUDIENCE: z.string().min(1).default('platform'),
  /** Verified tokens remembered until they expire, so the hot path skips the signature check. */
  JWT_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  /** A token issued longer ago than this is refused whatever its expiry (keep it ≥ user-service's ACCESS_TOKEN_TTL_SECONDS). */
  JWT_MAX_TOKEN_AGE_SECONDS: positiveInt(86_400, 31_536_000),

  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key the gateway writes; replicas that share limits share the prefix. */
  REDIS_KEY_PREFIX: z.string().min(1).default('api-gateway:'),
  RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
  RATE_LIMIT_MAX: positiveInt(600),
  LOGIN_RATE_LIMIT_WINDOW_MS: positiveInt(15 * 60_000),
  LOGIN_RATE_LIMIT_MAX: positiveInt(10),
  /** The login body is buffered (to read the email for its rate limit); it must be small. */
  LOGIN_BODY_LIMIT: byteSize('16kb'),
  /**
   * Per account (the canonical email), whatever the client address: this many login attempts pass at once
   * (they come back LOGIN_ACCOUNT_WINDOW_SECONDS after the first), then one per LOGIN_ACCOUNT_INTERVAL_SECONDS.
   */
  LOGIN_ACCOUNT_FREE_ATTEMPTS: positiveInt(5, 1_000),
  LOGIN_ACCOUNT_INTERVAL_SECONDS: positiveInt(10, 3_600),
  LOGIN_ACCOUNT_WINDOW_SECONDS: positiveInt(15 * 60, 86_400),
  /** Logins and sign-ups (bcrypt work upstream) one client may have in progress at once, per replica. */
  LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT: positiveInt(2, 1_000),
  /** A request body must have arrived whole within this time (else 408); it is read before the upstream is dialled. */
  CLIENT_BODY_TIMEOUT_MS: positiveInt(10_000, 300_000),
  /**
   * Express `trust proxy`: which hops' X-Forwarded-For to believe when deriving the client address that
   * rate limits are keyed by. `false` (default): the TCP peer. Behind a load balancer: its hop count
   * (`1`) or addresses/subnets (`10.0.0.0/8`, `loopback`).
   */
  TRUST_PROXY: z.string().default('false'),
  /** Comma-separated origins allowed by CORS; empty (default) allows none. */
  CORS_ORIGINS: z.string().default(''),

  DOCS_FETCH_TIMEOUT_MS: positiveInt(2_000, 60_000),
  /** How long the merged OpenAPI document is reused (a document missing a service: a fifth of it). */
  DOCS_CACHE_TTL_MS: positiveInt(30_000, 3_600_000),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/** The validated variables plus the values derived from them. */
export function deriveGatewayConfig(config: GatewayEnv) {
  return {
    ...config,
    JWKS_URL: config.JWKS_URL ?? new URL('/.well-known/jwks.json', config.USER_SERVICE_URL).toString(),
    TRUST_PROXY: parseTrustProxy(config.TRUST_PROXY),
    CORS_ORIGINS: config.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0),
    BODY_LIMIT_BYTES: parseByteSize(config.BODY_LIMIT),
    LOGIN_BODY_LIMIT_BYTES: parseByteSize(config.LOGIN_BODY_LIMIT),
  };
}

export type GatewayConfig = ReturnType<typeof deriveGatewayConfig>;

/** `100kb` → 102400. */
export function parseByteSize(text: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(text);
  if (!match) throw new RangeError(`Not a byte size: ${text}`);
  const unit = match[2].toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/** Express's `trust proxy` value: a boolean, a hop count, or a list of addresses/subnets/names. */
export function parseTrustProxy(text: string): boolean | number | string {
  const value = text.trim().toLowerCase();
  if (['false', '0', 'no', 'off', ''].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  return text.trim();
}

/** Builds a config from explicit variables (tests, tools); throws listing every problem. */
export function gatewayConfig(env: Record<string, string | undefined> = {}): GatewayConfig {
  const result = parseConfig(gatewayEnvSchema, env);
  if (!result.ok) {
    throw new Error(`Invalid gateway config: ${result.error.map((issue) => `${issue.variable}: ${issue.problem}`).join('; ')}`);
  }
  return deriveGatewayConfig(result.value);
}
