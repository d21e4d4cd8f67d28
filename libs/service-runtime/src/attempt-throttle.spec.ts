import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, requireInfrastructure } from '@platform/testing';
import { AttemptThrottle } from './attempt-throttle';
import { createRedisClient } from './redis';
import { captureLogger } from './test/capture-logger';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('AttemptThrottle (real Redis)', () => {
  const clients: Redis[] = [];
  const inspector = new Redis(REDIS_URL);

  beforeAll(() => requireInfrastructure(['redis']));
  afterAll(() => {
    for (const client of [...clients, inspector]) client.disconnect();
  });

  function redisClient(url = REDIS_URL): Redis {
    const client = createRedisClient({ url, logger: captureLogger().logger });
    clients.push(client);
    return client;
  }

  const prefix = (): string => `service-runtime-test:${randomBytes(4).toString('hex')}:login-account`;

  const throttle = (keyPrefix: string, redis = redisClient()): AttemptThrottle =>
    new AttemptThrottle({ redis, keyPrefix, freeAttempts: 3, intervalSeconds: 1, freeAttemptsWindowSeconds: 60 });

  async function ready(redis: Redis): Promise<void> {
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  }

  it('lets the free attempts through at once, then one per interval, telling how long to wait', async () => {
    const redis = redisClient();
    await ready(redis);
    const accounts = throttle(prefix(), redis);
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await accounts.attempt('ada@example.com'));
    expect(verdicts).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }, { allowed: false, retryAfterSeconds: 1 }]);
    // Another key is not affected.
    expect(await accounts.attempt('bob@example.com')).toEqual({ allowed: true });

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await accounts.attempt('ada@example.com')).toEqual({ allowed: true });
    expect(await accounts.attempt('ada@example.com')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('counts in Redis: replicas with the same prefix share the count, and the key text never reaches Redis', async () => {
    const keyPrefix = prefix();
    const [a, b] = [redisClient(), redisClient()];
    await Promise.all([ready(a), ready(b)]);
    const [first, second] = [throttle(keyPrefix, a), throttle(keyPrefix, b)];
    const verdicts = [];
    for (const replica of [first, second, first, second]) verdicts.push((await replica.attempt('eve@example.com')).allowed);
    expect(verdicts).toEqual([true, true, true, false]);

    const keys = await inspector.keys(`${keyPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('eve');
  });

  it('while Redis is unavailable it counts per process, and never fails', async () => {
    const deadRedis = redisClient(`redis://127.0.0.1:${await freePort()}`);
    const accounts = throttle(prefix(), deadRedis);
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await accounts.attempt('mallory@example.com')).allowed);
    expect(verdicts).toEqual([true, true, true, false]);
  });
});
