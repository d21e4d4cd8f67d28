import { userEventFixtures } from '@platform/event-contracts';
import { FixedClock, InMemoryNotificationStore, RecordingMailSender } from '../../../test/fakes';
import { HandleUserEventUseCase } from '../handle-user-event/handle-user-event.use-case';
import { SendPendingNotificationsUseCase } from './send-pending-notifications.use-case';

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
    store.failingSaves = 100;
    store.onFailedSave = () => clock.advance(10_000);
    await expect(useCase.execute()).rejects.toThrow("Can't reach database server");
    expect(store.failingSaves).toBe(97); // failed at +0 s, +10 s and +20 s; at +30 s half the lease was gone
    store.failingSaves = 0;
    clock.advance(30_000);
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
    expect(other.store.failingSaves).toBe(4);
    expect(mailSender.sent).toHaveLength(2);
  });
});
