import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface AttemptThrottleOptions {
  redis: Redis;
  /** Prefix of the Redis keys; the replicas that share it share the counts. */
  keyPrefix: string;
  /** Attempts per key that pass at once; they come back `freeAttemptsWindowSeconds` after the first. */
  freeAttempts: number;
  freeAttemptsWindowSeconds: number;
  /** Once the free attempts are spent: one attempt per this many seconds. */
  intervalSeconds: number;
}

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Slows attempts per key down instead of locking the key out: a few free attempts, then one per interval
 * (rate-limiter-flexible's BurstyRateLimiter: one attempt per `intervalSeconds`, plus `freeAttempts - 1`
 * more per window). Made for password guessing against one account, whatever address the guesses come
 * from: its owner waits seconds, never a lockout.
 *
 * Counted in Redis (one Lua call per limiter); keys are hashed, so no email address is stored. While Redis
 * is unavailable (not connected, or a command fails) each process counts on its own (the library's
 * insurance limiter): the limit still holds, per replica instead of across them, and an attempt is never
 * refused, nor does it wait, because Redis is down.
 */
export class AttemptThrottle {
  private readonly limiter: Pick<BurstyRateLimiter, 'consume'>;

  constructor(options: AttemptThrottleOptions) {
    if (options.freeAttempts < 1) throw new RangeError('freeAttempts must be >= 1');
    const counter = (keyPrefix: string, points: number, duration: number): RateLimiterRedis =>
      new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix,
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
      });
    const steady = counter(options.keyPrefix, 1, options.intervalSeconds);
    this.limiter =
      options.freeAttempts === 1
        ? steady
        : new BurstyRateLimiter(steady, counter(`${options.keyPrefix}-free`, options.freeAttempts - 1, options.freeAttemptsWindowSeconds));
  }

  async attempt(key: string): Promise<AttemptVerdict> {
    try {
      await this.limiter.consume(createHash('sha256').update(key).digest('base64url'));
      return { allowed: true };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
  }
}
