import { Redis } from 'ioredis';

/** Stops the real services (dropping their databases and vhost) and deletes this run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const services = globalThis.apiGatewayTestServices;
  globalThis.apiGatewayTestServices = undefined;
  await services?.stop();
  const prefix = process.env['GATEWAY_TEST_REDIS_PREFIX'];
  if (!prefix) return;
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}
