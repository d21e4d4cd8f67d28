import type { Logger } from '@platform/messaging';
import { CircuitBreaker, CircuitOpenError } from '@platform/resilience';
import type { Metrics } from '@platform/service-runtime';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { UserCache } from '../../application/ports/user-cache';
import type { UserView } from '../../application/user-view';

export interface RedisUserCacheOptions {
  ttlSeconds: number;
  logger: Logger;
  metrics?: Metrics;
  /** Consecutive failures that stop the cache from trying Redis, and for how long. */
  circuit?: { failureThreshold: number; resetTimeoutMs: number };
}

type Lookup = 'hit' | 'miss' | 'error';

/**
 * UserCache on Redis (cache-aside, TTL). Never throws: each command has the client's short command timeout,
 * and a circuit breaker stops trying a Redis that keeps failing, so an outage costs database reads only.
 * Stores the user view, which has no password hash.
 */
export class RedisUserCache implements UserCache {
  private readonly breaker: CircuitBreaker;
  /** One counter child per result, bound once (no label hashing per lookup). */
  private readonly lookups?: Record<Lookup, Counter.Internal>;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisUserCacheOptions,
  ) {
    this.breaker = new CircuitBreaker({
      name: 'redis-cache',
      failureThreshold: options.circuit?.failureThreshold ?? 3,
      resetTimeoutMs: options.circuit?.resetTimeoutMs ?? 2_000,
      onStateChange: ({ to }) =>
        to === 'OPEN'
          ? options.logger.warn('Redis cache unavailable; reading users from the database')
          : to === 'CLOSED' && options.logger.info('Redis cache available again'),
    });
    if (options.metrics) {
      const counter = new Counter({
        name: 'user_cache_lookups_total',
        help: 'User cache lookups by result (hit, miss, error)',
        labelNames: ['result'],
        registers: [options.metrics.registry],
      });
      this.lookups = { hit: counter.labels('hit'), miss: counter.labels('miss'), error: counter.labels('error') };
    }
  }

  async get(userId: string): Promise<UserView | undefined> {
    const raw = await this.attempt('get', () => this.redis.get(keyOf(userId)));
    const user = typeof raw === 'string' ? parse(raw) : undefined;
    this.count(raw === undefined ? 'error' : user ? 'hit' : 'miss');
    return user;
  }

  async set(user: UserView): Promise<void> {
    await this.attempt('set', () => this.redis.set(keyOf(user.id), JSON.stringify(user), 'EX', this.options.ttlSeconds));
  }

  async invalidate(userId: string): Promise<void> {
    await this.attempt('invalidate', () => this.redis.del(keyOf(userId)));
  }

  /** The command's answer, or undefined when Redis failed (or the circuit is open). */
  private async attempt<T>(operation: string, command: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.breaker.execute(command);
    } catch (error) {
      if (!(error instanceof CircuitOpenError)) {
        this.options.logger.debug('Redis cache command failed', { operation, error: (error as Error).message });
      }
      return undefined;
    }
  }

  private count(result: Lookup): void {
    this.lookups?.[result].inc();
  }
}

const keyOf = (userId: string): string => `user:${userId}`;

function parse(raw: string): UserView | undefined {
  try {
    return JSON.parse(raw) as UserView;
  } catch {
    return undefined;
  }
}
