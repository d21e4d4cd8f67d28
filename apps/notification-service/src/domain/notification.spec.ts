import { Notification, retryDelayMs } from './notification';

const policy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 3_000 };
const now = new Date('2026-01-15T10:00:00.000Z');

function pending(): Notification {
  return Notification.create({
    id: '7d0b4a3e-58f4-4a55-9d5f-3e8c1a2b4c5d',
    userId: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d',
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a01',
    correlationId: 'req-1',
    kind: 'welcome',
    recipient: 'ada@example.com',
    content: { subject: 's', text: 't', html: 'h' },
    now,
  });
}

/** What a sender's claim does: one more attempt, leased for a minute. */
function claimed(notification: Notification): Notification {
  notification.startAttempt(new Date(now.getTime() + 60_000));
  return notification;
}

describe('Notification', () => {
  it('starts pending, due at once, with no attempts', () => {
    const n = pending();
    expect([n.status, n.attempts, n.nextAttemptAt, n.sentAt, n.lastError]).toEqual(['pending', 0, now, null, null]);
    expect(n.belongsTo('0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d')).toBe(true);
    expect(n.belongsTo('someone-else')).toBe(false);
  });

  it('markSent records when', () => {
    const n = claimed(pending());
    n.markSent(new Date(now.getTime() + 5));
    expect(n.status).toBe('sent');
    expect(n.sentAt).toEqual(new Date(now.getTime() + 5));
  });

  it('a transient failure keeps it pending and due after a growing delay', () => {
    let n = claimed(pending());
    n.recordFailedAttempt('451 try later', now, false, policy);
    expect([n.status, n.lastError, n.nextAttemptAt.getTime() - now.getTime()]).toEqual(['pending', '451 try later', 1_000]);
    n = claimed(n);
    n.recordFailedAttempt('451 try later', now, false, policy);
    expect(n.nextAttemptAt.getTime() - now.getTime()).toBe(2_000);
  });

  it('gives up after the last allowed attempt, or at once on a permanent failure', () => {
    let n = pending();
    for (let i = 0; i < 3; i++) {
      n = claimed(n);
      n.recordFailedAttempt('down', now, false, policy);
    }
    expect([n.status, n.attempts]).toEqual(['failed', 3]);
    const refused = claimed(pending());
    refused.recordFailedAttempt('550 no such user', now, true, policy);
    expect(refused.status).toBe('failed');
  });

  it('keeps long errors short', () => {
    const n = claimed(pending());
    n.recordFailedAttempt('x'.repeat(2_000), now, false, policy);
    expect(n.lastError?.length).toBe(500);
  });

  it('retryDelayMs doubles and is capped', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy))).toEqual([1_000, 2_000, 3_000, 3_000]);
  });
});
