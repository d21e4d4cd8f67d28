import { dropTemplateAndClones, INFRASTRUCTURE } from '@platform/testing';
import { Redis } from 'ioredis';

/** Drops what the global setup made: the template database and its clones, the vhost, this run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.userServiceTestRun;
  if (!run) return;
  globalThis.userServiceTestRun = undefined;
  const redis = new Redis(INFRASTRUCTURE.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await Promise.allSettled([
    dropTemplateAndClones(run.database.name),
    run.vhost.dispose(),
    (async () => {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${run.redisPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    })().finally(() => redis.disconnect()),
  ]);
}
