import { createRedisClient, Metrics } from '@platform/service-runtime';
import { Result } from '@platform/shared-kernel';
import { type TestDatabase, waitFor } from '@platform/testing';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { UserChanges } from '../../application/user-changes';
import { DeactivateUserUseCase } from '../../application/use-cases/deactivate-user/deactivate-user.use-case';
import { DeleteUserUseCase } from '../../application/use-cases/delete-user/delete-user.use-case';
import { GetUserUseCase } from '../../application/use-cases/get-user/get-user.use-case';
import { UpdateUserUseCase } from '../../application/use-cases/update-user/update-user.use-case';
import { Email } from '../../domain/user/email';
import { User } from '../../domain/user/user';
import { UserName } from '../../domain/user/user-name';
import { captureLogs } from '../../test/support/capture-logs';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy';
import { testInfrastructure } from '../../test/support/test-infrastructure';
import { isolatedDatabase } from '../../test/support/test-service';
import { createPrismaClient, type PrismaClient } from '../persistence/prisma-client';
import { PrismaUserRepository } from '../persistence/prisma-user.repository';
import { RedisUserCache } from './redis-user-cache';

const HASH = '$2b$04$0123456789012345678901uLzMdPqkH1mR0a8v0PRO0fQ9vR1JkzW';

describe('RedisUserCache with the use cases (real Redis and Postgres)', () => {
  const infrastructure = testInfrastructure();
  const keyPrefix = `${infrastructure.redisPrefix}cache-${randomBytes(3).toString('hex')}:`;
  let database: TestDatabase;
  let prisma: PrismaClient;
  let redisProxy: TcpProxy;
  let redis: Redis;
  let users: PrismaUserRepository;
  let metrics: Metrics;
  const logs = captureLogs();

  beforeAll(async () => {
    database = await isolatedDatabase();
    prisma = createPrismaClient({ url: database.url, poolSize: 4 });
    users = new PrismaUserRepository(prisma);
    const target = new URL(infrastructure.redisUrl);
    redisProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) || 6379 });
    redis = createRedisClient({ url: `redis://127.0.0.1:${redisProxy.port}`, logger: logs.logger, keyPrefix, commandTimeoutMs: 200 });
    await waitFor(() => redis.status === 'ready', { description: 'redis ready' });
  });

  afterAll(async () => {
    redis?.disconnect();
    await redisProxy?.stop();
    await prisma?.$disconnect();
    await database?.dispose();
  });

  function useCases() {
    metrics = new Metrics('user-service-test');
    const cache = new RedisUserCache(redis, {
      ttlSeconds: 60,
      logger: logs.logger,
      metrics,
      circuit: { failureThreshold: 2, resetTimeoutMs: 300 },
    });
    const changes = new UserChanges({ users, cache });
    return {
      getUser: new GetUserUseCase({ users, cache }),
      updateUser: new UpdateUserUseCase({ users, changes }),
      deactivateUser: new DeactivateUserUseCase({ changes }),
      deleteUser: new DeleteUserUseCase({ changes }),
    };
  }

  async function storedUser(role: 'user' | 'admin' = 'user'): Promise<User> {
    const suffix = randomBytes(4).toString('hex');
    const user = User.register({
      email: Result.unwrap(Email.create(`cache-${suffix}@example.com`)),
      name: Result.unwrap(UserName.create(`Cache ${suffix}`)),
      passwordHash: HASH,
      role,
    });
    await users.save(user, { correlationId: 'req-cache' });
    return user;
  }

  /** user_cache_lookups_total by result. */
  const lookups = async () => {
    const metric = await metrics.registry.getSingleMetric('user_cache_lookups_total')?.get();
    return Object.fromEntries((metric?.values ?? []).map(({ labels, value }) => [String(labels['result']), value]));
  };

  it('reads through the cache: a miss fills it (with a TTL, without the hash), the next read is a hit', async () => {
    const { getUser } = useCases();
    const ada = await storedUser();
    const actor = { userId: ada.id, role: 'user' as const };

    expect(await getUser.execute({ actor, userId: ada.id })).toMatchObject({ ok: true, value: { id: ada.id } });
    const raw = await redis.get(`user:${ada.id}`);
    expect(raw).toContain(ada.email.value);
    expect(raw).not.toMatch(/passwordHash|\$2b\$/);
    const ttl = await redis.ttl(`user:${ada.id}`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);

    const again = await getUser.execute({ actor, userId: ada.id });
    expect(again).toMatchObject({ ok: true, value: { id: ada.id, createdAt: ada.createdAt.toISOString() } });
    expect(await lookups()).toEqual({ miss: 1, hit: 1 });
  });

  it('every change drops the cached copy after the commit, so the next read sees it', async () => {
    const { getUser, updateUser, deactivateUser, deleteUser } = useCases();
    const ada = await storedUser();
    const admin = { userId: (await storedUser('admin')).id, role: 'admin' as const };
    const read = () => getUser.execute({ actor: admin, userId: ada.id });

    await read();
    await updateUser.execute({ actor: admin, userId: ada.id, changes: { name: 'Renamed Ada' }, correlationId: 'req-1' });
    expect(await read()).toMatchObject({ ok: true, value: { name: 'Renamed Ada' } });

    await deactivateUser.execute({ actor: admin, userId: ada.id, correlationId: 'req-2' });
    expect(await read()).toMatchObject({ ok: true, value: { isActive: false } });

    await deleteUser.execute({ actor: admin, userId: ada.id, correlationId: 'req-3' });
    expect(await read()).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
    expect(await redis.exists(`user:${ada.id}`)).toBe(0);
  });

  it('a Redis outage degrades to database reads (fast, no failure), and the cache comes back with Redis', async () => {
    const { getUser, updateUser } = useCases();
    const ada = await storedUser();
    const actor = { userId: ada.id, role: 'user' as const };
    await redisProxy.stop();

    const startedAt = Date.now();
    for (let i = 0; i < 5; i++) expect(await getUser.execute({ actor, userId: ada.id })).toMatchObject({ ok: true, value: { id: ada.id } });
    expect(await updateUser.execute({ actor, userId: ada.id, changes: { name: 'Offline Edit' }, correlationId: 'req-4' })).toMatchObject({
      ok: true,
    });
    // Fails fast (no waiting on a dead Redis); the bound is loose for busy machines.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(logs.lines.some((line) => line.includes('Redis cache unavailable'))).toBe(true);
    expect((await lookups())['error']).toBeGreaterThan(0);

    await redisProxy.start();
    await waitFor(async () => (await getUser.execute({ actor, userId: ada.id })).ok && (await redis.exists(`user:${ada.id}`)) === 1, {
      timeoutMs: 10_000,
      description: 'the cache to be used again',
    });
    expect(await getUser.execute({ actor, userId: ada.id })).toMatchObject({ ok: true, value: { name: 'Offline Edit' } });
  });
});
