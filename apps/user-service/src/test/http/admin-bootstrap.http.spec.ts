import request from 'supertest';
import { buildUserService } from '../../app';
import { captureLogs } from '../support/capture-logs';
import { isolatedDatabase, testConfig } from '../support/test-service';

describe('admin bootstrap (ADMIN_EMAIL / ADMIN_PASSWORD)', () => {
  it('two replicas starting at once on one database: both start, exactly one admin, one user.created', async () => {
    const database = await isolatedDatabase();
    const env = { DATABASE_URL: database.url, ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'Root-Secret-11' };
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const logs = captureLogs();
        return { logs, service: await buildUserService(testConfig(env), { logger: logs.logger }) };
      }),
    );
    try {
      await Promise.all(replicas.map(({ service }) => service.start()));
      const admins = await replicas[0].service.prisma.user.findMany({ where: { email: 'root@example.com' } });
      expect(admins).toEqual([expect.objectContaining({ role: 'admin', isActive: true })]);
      expect(await replicas[0].service.prisma.outboxMessage.count()).toBe(1);
      const messages = replicas.flatMap(({ logs }) => logs.records().map((line) => line['message']));
      expect(messages.filter((m) => m === 'Admin user created')).toHaveLength(1);
      expect(messages.filter((m) => m === 'Admin user exists')).toHaveLength(1);

      // And a restart finds it (idempotent); the admin can log in.
      const restarted = await buildUserService(testConfig(env), { logger: captureLogs().logger });
      await restarted.start();
      await restarted.stop();
      expect(await replicas[0].service.prisma.user.count()).toBe(1);
      await request(replicas[1].service.app)
        .post('/auth/login')
        .send({ email: 'root@example.com', password: 'Root-Secret-11' })
        .expect(200);
    } finally {
      for (const { service } of replicas) await service.stop();
      await database.dispose();
    }
  });

  it('an ADMIN_PASSWORD that breaks the policy stops the start with a message naming the variables, not the value', async () => {
    const database = await isolatedDatabase();
    const service = await buildUserService(
      testConfig({ DATABASE_URL: database.url, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'weakpass' }),
      {
        logger: captureLogs().logger,
      },
    );
    try {
      const failure = await service.start().catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain('ADMIN_EMAIL/ADMIN_PASSWORD/ADMIN_NAME rejected');
      expect((failure as Error).message).not.toContain('weakpass');
    } finally {
      await service.stop();
      await database.dispose();
    }
  });
});
