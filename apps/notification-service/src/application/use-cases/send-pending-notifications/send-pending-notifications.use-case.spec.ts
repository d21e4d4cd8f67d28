import { userEventFixtures } from '@platform/event-contracts';
import { FixedClock, InMemoryNotificationStore, RecordingMailSender } from '../../../test/fakes';
import { HandleUserEventUseCase } from '../handle-user-event/handle-user-event.use-case';
import { SendPendingNotificationsUseCase } from './send-pending-notifications.use-case';

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 1_000) throw new Error('condition never met');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const settings = { batchSize: 10, leaseMs: 60_000, maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000, saveRetryBaseDelayMs: 1 };

async function setup() {
  const store = new InMemoryNotificationStore();
  const clock = new FixedClock();
  const mailSender = new RecordingMailSender();
  await new HandleUserEventUseCase({ inbox: store, clock }).execute(userEventFixtures.updatedEmail);
  const useCase = new SendPendingNotificationsUseCase({ repository: store, mailSender, clock, settings });
  return { store, clock, mailSender, useCase };
}

describe('SendPendingNotificationsUseCase', () => {
  it('sends every due notification once and marks it sent', async () => {
    const { store, mailSender, useCase } = await setup();
    const report = await useCase.execute();
    expect([report.claimed, report.sent.length]).toEqual([2, 2]);
    expect(mailSender.sent.map((m) => m.to).sort()).toEqual(['ada@example.com', 'ada@new.example.com']);
    expect(mailSender.sent[0]).toMatchObject({ subject: expect.any(String), html: expect.stringContaining('<p>') });
    expect([...store.notifications.values()].every((n) => n.status === 'sent' && n.attempts === 1)).toBe(true);
    expect((await useCase.execute()).claimed).toBe(0);
  });

  it('keeps a notification pending after a transient failure and sends it when due again', async () => {
    const { store, clock, mailSender, useCase } = await setup();
    mailSender.failWith = { message: '451 Temporary failure', permanent: false };
    const failed = await useCase.execute();
    expect(failed.retrying).toHaveLength(2);
    expect(await store.countPending()).toBe(2);
    const [first] = [...store.notifications.values()];
    expect(first.lastError).toBe('451 Temporary failure');
    expect(first.nextAttemptAt).toEqual(new Date(clock.now().getTime() + 1_000));

    mailSender.failWith = undefined;
    expect((await useCase.execute()).claimed).toBe(0); // not due yet
    clock.advance(1_000);
    expect((await useCase.execute()).sent).toHaveLength(2);
    expect([...store.notifications.values()].map((n) => n.attempts)).toEqual([2, 2]);
  });

  it('gives up at once on a permanent refusal, and after maxAttempts on transient ones', async () => {
    const { store, mailSender, useCase } = await setup();
    mailSender.failWith = { message: '550 No such user', permanent: true };
    expect((await useCase.execute()).failed).toHaveLength(2);
    expect(await store.countPending()).toBe(0);

    const other = await setup();
    other.mailSender.failWith = { message: 'connection refused', permanent: false };
    for (let i = 0; i < 3; i++) {
      await other.useCase.execute();
      other.clock.advance(60_000);
    }
    expect([...other.store.notifications.values()].map((n) => [n.status, n.attempts])).toEqual([
      ['failed', 3],
      ['failed', 3],
    ]);
  });

  it('saves each outcome as soon as its mail is out, while the batch is still sending: a crash re-sends only mails in flight', async () => {
    const { store, mailSender, useCase } = await setup();
    const release = mailSender.hold('ada@new.example.com');
    const running = useCase.execute();
    // One mail is out and the other still in flight: the first outcome is stored already.
    await waitUntil(() => store.savedOutcomes.length === 1);
    const [first] = store.savedOutcomes;
    expect(first.status).toBe('sent');
    expect(store.notifications.get(first.id)?.status).toBe('sent');
    expect(mailSender.sent.map((mail) => mail.to)).toEqual(['ada@example.com']);
    // Were the process killed now, only the mail in flight would still be pending (and sent again after the lease).
    expect(await store.countPending()).toBe(1);

    release();
    const report = await running;
    expect(report.sent).toHaveLength(2);
    expect(store.savedOutcomes.map((outcome) => outcome.status)).toEqual(['sent', 'sent']);
    expect(new Set(store.savedOutcomes.map((outcome) => outcome.id)).size).toBe(2); // one save per mail
  });

  it('saves the outcomes again after a failed save, so a database blip sends no mail twice', async () => {
    const { store, clock, mailSender, useCase } = await setup();
    store.failingSaves = 3;
    store.onFailedSave = () => clock.advance(5_000);
    expect((await useCase.execute()).sent).toHaveLength(2);
    expect(store.failingSaves).toBe(0);
    clock.advance(60_000); // past the lease: nothing is due again
    expect((await useCase.execute()).claimed).toBe(0);
    expect(mailSender.sent).toHaveLength(2);
  });

  it('stops trying to save once half the lease is used; the mails then go again when the lease runs out', async () => {
    const { store, clock, mailSender, useCase } = await setup();
    const startedAt = clock.now().getTime();
    const failedAt: number[] = [];
    store.failingSaves = 100;
    store.onFailedSave = () => {
      failedAt.push(clock.now().getTime() - startedAt);
      clock.advance(10_000);
    };
    await expect(useCase.execute()).rejects.toThrow("Can't reach database server");
    // Each mail's save was tried and retried, each retry decided while half the lease (30 s) was left (the
    // fake clock jumps 10 s per failure, so the last retry may start just at 30 s), none later.
    expect(failedAt.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...failedAt)).toBeLessThanOrEqual(30_000);
    store.failingSaves = 0;
    clock.advance(60_000);
    expect((await useCase.execute()).sent).toHaveLength(2);
    expect(mailSender.sent).toHaveLength(4); // at least once: sent again, never lost
  });

  it('makes the first save even when the sender is stopping, and no retry after it', async () => {
    const { store, mailSender, useCase } = await setup();
    const stopping = new AbortController();
    stopping.abort();
    expect((await useCase.execute(stopping.signal)).sent).toHaveLength(2);
    expect(await store.countPending()).toBe(0);

    const other = await setup();
    other.store.failingSaves = 5;
    await expect(other.useCase.execute(stopping.signal)).rejects.toThrow();
    expect(other.store.failingSaves).toBe(3); // one first attempt per mail, no retry
    expect(mailSender.sent).toHaveLength(2);
  });
});
