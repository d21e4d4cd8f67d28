import { Redis } from 'ioredis';
import type { Logger } from './logger';
import { redactString } from './redact';

export interface RedisClientOptions {
  url: string;
  logger: Logger;
  /** A command that gets no answer within this time fails, so a stuck Redis never stalls a request. */
  commandTimeoutMs?: number;
  keyPrefix?: string;
  /** Send the commands issued in one event-loop turn as one pipeline (fewer writes under load). */
  autoPipelining?: boolean;
}

/**
 * A Redis client that fails fast instead of queueing while Redis is away (callers fall back: the cache
 * reads the database, rate limits apply their documented policy) and reconnects on its own with backoff.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2_000,
    keyPrefix: options.keyPrefix,
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5_000),
    lazyConnect: false,
  });
  let connected = false;
  client.on('ready', () => {
    connected = true;
    options.logger.info('Redis connected', { url: redactString(options.url) });
  });
  client.on('error', (error: Error) => {
    // ioredis emits an error per failed reconnect attempt; log the transition, not every retry.
    if (connected) options.logger.warn('Redis connection lost', { err: error });
    connected = false;
  });
  return client;
}

export async function pingRedis(client: Redis): Promise<void> {
  const answer = await client.ping();
  if (answer !== 'PONG') throw new Error(`Unexpected PING answer: ${answer}`);
}
