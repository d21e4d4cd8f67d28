import type { RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { CircuitBreaker } from '@platform/resilience';
import { AttemptThrottle, HttpError, type Logger } from '@platform/service-runtime';
import type { GatewayConfig } from '../config/gateway-config';
import { loginEmailOf } from './login-body';
import { RedisFallbackStore } from './redis-fallback-store';

export interface RateLimiters {
  /** Per client, on every `/api` request. */
  general: RequestHandler;
  /** Per client and email, on `POST /api/auth/login` (after the login body was read). */
  login: RequestHandler;
  /** Per account (email) whatever the client, on `POST /api/auth/login`: a few free attempts, then one per interval. */
  loginAccount: RequestHandler;
  close(): void;
}

type LimitSettings = Pick<
  GatewayConfig,
  | 'RATE_LIMIT_WINDOW_MS'
  | 'RATE_LIMIT_MAX'
  | 'LOGIN_RATE_LIMIT_WINDOW_MS'
  | 'LOGIN_RATE_LIMIT_MAX'
  | 'LOGIN_ACCOUNT_FREE_ATTEMPTS'
  | 'LOGIN_ACCOUNT_INTERVAL_SECONDS'
  | 'LOGIN_ACCOUNT_WINDOW_SECONDS'
  | 'REDIS_KEY_PREFIX'
>;

const rateLimited: Options['handler'] = (_req, _res, next) => {
  // express-rate-limit has set Retry-After and the RateLimit headers already.
  next(new HttpError(429, 'RATE_LIMITED', 'Too many requests; retry later'));
};

/**
 * The limits count in Redis, so every gateway replica (same REDIS_KEY_PREFIX) shares them.
 *
 * While Redis is unavailable (a breaker opens after 3 consecutive Redis failures and retries after 5 s, so no
 * request waits on a Redis that keeps failing):
 * - the general limit fails open (`passOnStoreError`): losing it for a while beats refusing all traffic;
 * - the login limits (per client and email, per account) fall back to per-process in-memory counts:
 *   password guessing stays limited, per replica instead of across them. No path ever answers 500.
 */
export function createRateLimiters(options: { config: LimitSettings; redis: Redis; logger: Logger }): RateLimiters {
  const { config, redis, logger } = options;
  const redisBreaker = new CircuitBreaker({
    name: 'redis-rate-limit',
    failureThreshold: 3,
    resetTimeoutMs: 5_000,
    onStateChange: ({ to }) => {
      if (to === 'OPEN') {
        logger.warn('Redis unavailable for rate limits: general limit fails open, login limit counts per process');
      } else if (to === 'CLOSED') logger.info('Redis available again: rate limits are shared again');
    },
  });
  const limiterLogger: Options['logger'] = {
    warn: (error, message) => logger.warn(message ?? 'express-rate-limit warning', { err: error }),
    // Store errors are expected while Redis is down; the breaker above logs that state once.
    error: (error, message) =>
      message?.includes('error from store')
        ? logger.debug(message, { err: error })
        : logger.error(message ?? 'express-rate-limit error', { err: error }),
  };
  const common = {
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: rateLimited,
    logger: limiterLogger,
  } satisfies Partial<Options>;

  const generalStore = new RedisFallbackStore({ redis, prefix: `${config.REDIS_KEY_PREFIX}rl:general:`, breaker: redisBreaker });
  const loginFallback = new MemoryStore();
  const loginStore = new RedisFallbackStore({
    redis,
    prefix: `${config.REDIS_KEY_PREFIX}rl:login:`,
    breaker: redisBreaker,
    fallback: loginFallback,
  });

  const general = rateLimit({
    ...common,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limit: config.RATE_LIMIT_MAX,
    store: generalStore,
    passOnStoreError: true,
  });
  const login = rateLimit({
    ...common,
    windowMs: config.LOGIN_RATE_LIMIT_WINDOW_MS,
    limit: config.LOGIN_RATE_LIMIT_MAX,
    store: loginStore,
    // Client and account together: one client cannot keep guessing one account's password.
    keyGenerator: (req, res) => `${ipKeyGenerator(req.ip ?? '')}|${loginEmailOf(res)}`,
  });
  const accountThrottle = new AttemptThrottle({
    redis,
    keyPrefix: `${config.REDIS_KEY_PREFIX}login-account`,
    freeAttempts: config.LOGIN_ACCOUNT_FREE_ATTEMPTS,
    intervalSeconds: config.LOGIN_ACCOUNT_INTERVAL_SECONDS,
    freeAttemptsWindowSeconds: config.LOGIN_ACCOUNT_WINDOW_SECONDS,
  });
  const loginAccount: RequestHandler = (_req, res, next) => {
    const email = loginEmailOf(res);
    // No email: user-service refuses the body (400), so there is nothing to guess.
    if (email === '') return next();
    accountThrottle.attempt(email).then((verdict) => {
      if (verdict.allowed) return next();
      const seconds = String(verdict.retryAfterSeconds);
      next(
        new HttpError(429, 'RATE_LIMITED', `Too many login attempts for this account; retry in ${seconds} s`, undefined, {
          'Retry-After': seconds,
        }),
      );
    }, next);
  };
  return {
    general,
    login,
    loginAccount,
    close: () => loginStore.shutdown(),
  };
}
