import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { CircuitBreaker } from '@platform/resilience';

export interface RedisFallbackStoreOptions {
  /** Created with `autoPipelining`: the commands of one event-loop turn go to Redis as one write. */
  redis: Redis;
  /** Prefix of this limiter's keys in Redis (the replicas that share limits share it). */
  prefix: string;
  /** Guards Redis: while it is open the store does not wait for a Redis that keeps failing. */
  breaker: CircuitBreaker;
  /**
   * Where counts go while Redis fails. A per-process MemoryStore keeps a limit (the login limit); none means
   * errors propagate and the limiter's `passOnStoreError` lets requests through (the general limit).
   */
  fallback?: Store;
}

/** Clients known to be over the limit, remembered at most (oldest dropped first). */
const MAX_REMEMBERED_OVER_LIMIT = 10_000;

/**
 * rate-limit-redis's store (one EVALSHA round trip per increment) behind a circuit breaker, with an optional
 * per-process fallback, and a local pre-check: a client Redis reported over the limit stays over it until its
 * window resets (a fixed window's count only grows), so its further requests in that window are refused
 * without a Redis round trip — a flooding client costs Redis nothing more. It also defers loading the Lua
 * scripts to the first use: RedisStore loads them in `init`, and a load that fails (Redis not connected yet,
 * or down at start) would stay a rejected promise for good, so every later increment would fail even after
 * Redis came back. Here a failed load is retried.
 */
export class RedisFallbackStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly redisStore: RedisStore;
  private options?: Options;
  private scriptsLoaded?: Promise<void>;
  private readonly overLimit = new Map<string, { totalHits: number; resetTime: Date }>();

  constructor(private readonly config: RedisFallbackStoreOptions) {
    this.prefix = config.prefix;
    this.redisStore = new RedisStore({
      prefix: config.prefix,
      sendCommand: (command: string, ...args: string[]) => config.redis.call(command, ...args) as Promise<RedisReply>,
    });
  }

  init(options: Options): void {
    this.options = options;
    this.config.fallback?.init?.(options);
  }

  async increment(key: string): Promise<IncrementResponse> {
    const known = this.overLimit.get(key);
    if (known !== undefined) {
      if (known.resetTime.getTime() > Date.now()) return { totalHits: ++known.totalHits, resetTime: known.resetTime };
      this.overLimit.delete(key);
    }
    try {
      const counted = await this.config.breaker.execute(async () => {
        await this.loadScripts();
        return this.redisStore.increment(key);
      });
      this.rememberIfOverLimit(key, counted);
      return counted;
    } catch (error) {
      if (this.config.fallback) return this.config.fallback.increment(key);
      throw error;
    }
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      await this.loadScripts();
      return await this.redisStore.get(key);
    } catch (error) {
      if (this.config.fallback?.get) return this.config.fallback.get(key);
      throw error;
    }
  }

  async decrement(key: string): Promise<void> {
    await Promise.allSettled([this.redisStore.decrement(key), this.config.fallback?.decrement(key)]);
  }

  async resetKey(key: string): Promise<void> {
    this.overLimit.delete(key);
    await Promise.allSettled([this.redisStore.resetKey(key), this.config.fallback?.resetKey(key)]);
  }

  shutdown(): void {
    void this.config.fallback?.shutdown?.();
  }

  private rememberIfOverLimit(key: string, counted: IncrementResponse): void {
    const limit = this.options?.limit;
    if (typeof limit !== 'number' || counted.totalHits <= limit || counted.resetTime === undefined) return;
    if (this.overLimit.size >= MAX_REMEMBERED_OVER_LIMIT) {
      const oldest = this.overLimit.keys().next().value;
      if (oldest !== undefined) this.overLimit.delete(oldest);
    }
    this.overLimit.set(key, { totalHits: counted.totalHits, resetTime: counted.resetTime });
  }

  private loadScripts(): Promise<void> {
    if (!this.options) throw new Error('RedisFallbackStore used before init');
    const options = this.options;
    this.scriptsLoaded ??= this.redisStore.init(options).catch((error: unknown) => {
      this.scriptsLoaded = undefined;
      throw error;
    });
    return this.scriptsLoaded;
  }
}
