import { userEventFixtures } from '@platform/event-contracts';
import { HandleUserEventUseCase } from '../application';
import { Notification } from '../domain';
import { createPrismaClient, type NotificationsPrismaClient } from '../infrastructure/persistence/prisma-client';
import { PrismaNotificationRepository } from '../infrastructure/persistence/prisma-notification-repository';
import { FixedClock } from '../test/fakes';
import { cloneRunDatabase, freshEvent } from '../test/service-harness';

describe('PrismaNotificationRepository (real Postgres)', () => {
  let database: Awaited<ReturnType<typeof cloneRunDatabase>>;
  let prisma: NotificationsPrismaClient;
  let repository: PrismaNotificationRepository;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    database = await cloneRunDatabase();
    prisma = createPrismaClient({ url: database.url, poolSize: 8 });
    repository = new PrismaNotificationRepository(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.dispose();
  });

  it('records an event and its notifications once, even when the same event arrives concurrently', async () => {
    const handle = new HandleUserEventUseCase({ inbox: repository, clock });
    const event = freshEvent('updatedEmail');
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => handle.execute(event)));
    expect(outcomes.filter((o) => o.outcome === 'recorded')).toHaveLength(1);
    const { items, total } = await repository.list({ userId: event.payload.userId, offset: 0, limit: 10 });
    expect(total).toBe(2);
    expect(items.map((n) => n.kind).sort()).toEqual(['email-changed-new', 'email-changed-old']);
    const stored = await repository.findById(items[0].id);
    expect(stored?.snapshot()).toEqual(items[0].snapshot());
  });

  it('an inbox write that fails half way leaves nothing behind (one transaction)', async () => {
    const event = freshEvent('created');
    const handle = new HandleUserEventUseCase({ inbox: repository, clock });
    const { notifications } = await handle.execute(event);
    // A new event whose notification reuses an existing id: the notifications insert fails after the inbox insert.
    const clash = { ...userEventFixtures.created, eventId: globalThis.crypto.randomUUID() };
    const clashing = notifications.map((n) => Notification.restore(n.id, { ...n.snapshot(), eventId: clash.eventId }));
    await expect(
      repository.record(
        { eventId: clash.eventId, eventType: clash.type, correlationId: 'c', occurredAt: clock.now(), processedAt: clock.now() },
        clashing,
      ),
    ).rejects.toThrow();
    expect(await prisma.processedEvent.count({ where: { eventId: clash.eventId } })).toBe(0);
  });

  it('concurrent senders claim disjoint notifications (FOR UPDATE SKIP LOCKED) and a claim is a lease', async () => {
    const handle = new HandleUserEventUseCase({ inbox: repository, clock });
    await prisma.notification.updateMany({ where: { status: 'pending' }, data: { status: 'sent' } });
    for (let i = 0; i < 30; i++) await handle.execute(freshEvent('created'));
    const now = new Date(clock.now().getTime() + 1);
    const lease = new Date(now.getTime() + 60_000);
    const claims = await Promise.all(Array.from({ length: 4 }, () => repository.claimDue(now, lease, 10)));
    const ids = claims.flat().map((n) => n.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(claims.flat().every((n) => n.attempts === 1 && n.nextAttemptAt.getTime() === lease.getTime())).toBe(true);
    expect(await repository.claimDue(now, lease, 10)).toEqual([]); // leased
    expect(await repository.claimDue(lease, new Date(lease.getTime() + 1), 100)).toHaveLength(30); // lease ran out
    expect(await repository.countPending()).toBe(30);

    const [sent, failed] = claims.flat(); // any two: which claim got which rows varies
    sent.markSent(now);
    failed.recordFailedAttempt('550 unknown user', now, true, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 });
    await repository.saveDeliveryOutcome(sent);
    // Saved on its own, at once: the other rows of the claim are untouched meanwhile.
    expect(await repository.findById(sent.id)).toMatchObject({ status: 'sent', sentAt: now });
    expect(await repository.countPending()).toBe(29);
    await repository.saveDeliveryOutcome(failed);
    expect(await repository.findById(failed.id)).toMatchObject({ status: 'failed', lastError: '550 unknown user' });
    expect(await repository.countPending()).toBe(28);

    // A row another sender finished meanwhile (our lease ran out) is not overwritten.
    await repository.saveDeliveryOutcome(Notification.restore(sent.id, failed.snapshot()));
    expect((await repository.findById(sent.id))?.status).toBe('sent');
  });
});
