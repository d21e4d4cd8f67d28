import { Result } from '@platform/shared-kernel';
import type { TestDatabase } from '@platform/testing';
import { Email } from '../../domain/user/email';
import { User } from '../../domain/user/user';
import { UserId } from '../../domain/user/user-id';
import { UserName } from '../../domain/user/user-name';
import { isolatedDatabase } from '../../test/support/test-service';
import { createPrismaClient, type PrismaClient } from './prisma-client';
import { PrismaUserRepository } from './prisma-user.repository';

const email = (raw: string) => Result.unwrap(Email.create(raw));
const name = (raw: string) => Result.unwrap(UserName.create(raw));
const context = { correlationId: 'req-repo-1' };
let counter = 0;
const newUser = (overrides: { email?: string; name?: string; now?: Date } = {}) =>
  User.register({
    email: email(overrides.email ?? `repo${++counter}@example.com`),
    name: name(overrides.name ?? `Repo User ${counter}`),
    passwordHash: '$2b$04$0123456789012345678901uLzMdPqkH1mR0a8v0PRO0fQ9vR1JkzW',
    now: overrides.now,
  });

describe('PrismaUserRepository (real Postgres)', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let users: PrismaUserRepository;
  let commits = 0;

  beforeAll(async () => {
    database = await isolatedDatabase();
    prisma = createPrismaClient({ url: database.url, poolSize: 12 });
    users = new PrismaUserRepository(prisma, { afterCommit: () => commits++ });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.dispose();
  });

  const outboxOf = (aggregateId: string) =>
    prisma.outboxMessage.findMany({ where: { payload: { path: ['aggregateId'], equals: aggregateId } }, orderBy: { id: 'asc' } });

  it('stores a new user and its user.created outbox row together, and reads it back', async () => {
    const user = newUser({ email: 'Ada@Example.com' });
    const commitsBefore = commits;
    expect(await users.save(user, context)).toEqual({ ok: true, value: undefined });
    expect(commits).toBe(commitsBefore + 1);

    const byId = await users.findById(Result.unwrap(UserId.from(user.id)));
    const byEmail = await users.findByEmail(email('ADA@example.com'));
    expect(byId).toMatchObject({ id: user.id, role: 'user', isActive: true, passwordHash: user.passwordHash });
    expect(byId?.email.value).toBe('ada@example.com');
    expect(byEmail?.id).toBe(user.id);

    const [row] = await outboxOf(user.id);
    expect(row).toMatchObject({
      routingKey: 'user.created.v1',
      publishedAt: null,
      attempts: 0,
      headers: { 'x-correlation-id': 'req-repo-1' },
      payload: expect.objectContaining({ type: 'user.created', version: 1, correlationId: 'req-repo-1', aggregateId: user.id }),
    });
    expect(row.eventId).toBe((row.payload as { eventId: string }).eventId);
    expect(JSON.stringify([row.payload, row.headers])).not.toContain('$2b$');
  });

  it('updates and deletes, each with its outbox row', async () => {
    const user = newUser();
    await users.save(user, context);
    user.update({ name: name('Renamed') });
    user.deactivate();
    await users.save(user, context);
    expect((await users.findById(Result.unwrap(UserId.from(user.id))))?.name.value).toBe('Renamed');

    user.delete();
    await users.save(user, context);
    expect(await users.findById(Result.unwrap(UserId.from(user.id)))).toBeNull();
    expect((await outboxOf(user.id)).map((row) => row.routingKey)).toEqual([
      'user.created.v1',
      'user.updated.v1',
      'user.deactivated.v1',
      'user.deleted.v1',
    ]);
  });

  it('a save with no event writes nothing', async () => {
    const user = newUser();
    await users.save(user, context);
    const commitsBefore = commits;
    expect((await users.save(user, context)).ok).toBe(true);
    expect(commits).toBe(commitsBefore);
  });

  it('a taken email is EMAIL_ALREADY_EXISTS (unique index), and the failed save leaves no outbox row', async () => {
    await users.save(newUser({ email: 'taken@example.com' }), context);
    const rival = newUser({ email: 'TAKEN@example.com' });
    expect(await users.save(rival, context)).toMatchObject({ ok: false, error: { code: 'EMAIL_ALREADY_EXISTS' } });
    expect(await outboxOf(rival.id)).toEqual([]);

    const mover = newUser();
    await users.save(mover, context);
    mover.update({ email: email('taken@example.com') });
    expect(await users.save(mover, context)).toMatchObject({ ok: false, error: { code: 'EMAIL_ALREADY_EXISTS' } });
    expect(await outboxOf(mover.id)).toHaveLength(1);
  });

  it('of 10 concurrent saves with one email exactly one succeeds; the others are EMAIL_ALREADY_EXISTS', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => users.save(newUser({ email: 'race@example.com' }), context)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(9).fill('EMAIL_ALREADY_EXISTS'));
  });

  it('is atomic: when the outbox insert fails inside the transaction, the user row is not stored either', async () => {
    // A trigger that fails the outbox insert of one marked user: the failure happens inside the transaction.
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION fail_marked_outbox() RETURNS trigger AS $$
      BEGIN
        IF NEW.payload -> 'payload' ->> 'name' = 'Fail In Outbox' THEN RAISE EXCEPTION 'outbox insert failed on purpose'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER fail_marked_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_marked_outbox()`,
    );
    try {
      const doomed = newUser({ name: 'Fail In Outbox' });
      await expect(users.save(doomed, context)).rejects.toThrow(/outbox insert failed on purpose/);
      expect(await users.findById(Result.unwrap(UserId.from(doomed.id)))).toBeNull();
      expect(await outboxOf(doomed.id)).toEqual([]);

      const fine = newUser();
      expect((await users.save(fine, context)).ok).toBe(true);
    } finally {
      await prisma.$executeRawUnsafe('DROP TRIGGER fail_marked_outbox ON outbox');
      await prisma.$executeRawUnsafe('DROP FUNCTION fail_marked_outbox');
    }
  });

  it('saving a change to a user deleted meanwhile is USER_NOT_FOUND (no resurrection, no event)', async () => {
    const user = newUser();
    await users.save(user, context);
    const stale = await users.findById(Result.unwrap(UserId.from(user.id)));
    if (!stale) throw new Error('the user was just saved');
    user.delete();
    await users.save(user, context);

    stale.update({ name: name('Too Late') });
    expect(await users.save(stale, context)).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
    expect(await users.findById(Result.unwrap(UserId.from(user.id)))).toBeNull();
    expect((await outboxOf(user.id)).map((row) => row.routingKey)).toEqual(['user.created.v1', 'user.deleted.v1']);
  });

  it('lists oldest first with a stable order, filters by isActive and counts the total', async () => {
    await prisma.user.deleteMany();
    const sameInstant = new Date('2026-03-01T00:00:00.000Z');
    const created = [
      newUser({ now: new Date('2026-01-01T00:00:00.000Z') }),
      newUser({ now: sameInstant }),
      newUser({ now: sameInstant }),
      newUser({ now: new Date('2026-02-01T00:00:00.000Z') }),
    ];
    for (const user of created) await users.save(user, context);
    created[3].deactivate();
    await users.save(created[3], context);

    const expectedOrder = [created[0], created[3], ...[created[1], created[2]].sort((a, b) => a.id.localeCompare(b.id))].map((u) => u.id);
    const page1 = await users.list({ offset: 0, limit: 3 });
    const page2 = await users.list({ offset: 3, limit: 3 });
    expect(page1.total).toBe(4);
    expect([...page1.items, ...page2.items].map((u) => u.id)).toEqual(expectedOrder);
    const inactive = await users.list({ offset: 0, limit: 10, isActive: false });
    expect(inactive).toMatchObject({ total: 1, items: [expect.objectContaining({ id: created[3].id })] });
  });
});
