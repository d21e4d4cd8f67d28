import {
  type Clock,
  type EventInbox,
  MailDeliveryError,
  type MailSender,
  type NotificationPage,
  type NotificationRepository,
  type OutgoingMail,
  type ProcessedEvent,
  type RecordOutcome,
} from '../application';
import { Notification } from '../domain';

/** In-memory stand-ins for the ports, for unit tests of domain and application code only. */
export class InMemoryNotificationStore implements EventInbox, NotificationRepository {
  readonly events = new Map<string, ProcessedEvent>();
  readonly notifications = new Map<string, Notification>();

  async record(event: ProcessedEvent, notifications: readonly Notification[]): Promise<RecordOutcome> {
    if (this.events.has(event.eventId)) return 'duplicate';
    this.events.set(event.eventId, event);
    for (const notification of notifications) this.notifications.set(notification.id, copy(notification));
    return 'recorded';
  }

  async findById(id: string): Promise<Notification | undefined> {
    const found = this.notifications.get(id);
    return found && copy(found);
  }

  async list(query: { userId?: string; offset: number; limit: number }): Promise<NotificationPage> {
    const matching = [...this.notifications.values()]
      .filter((n) => query.userId === undefined || n.userId === query.userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return { items: matching.slice(query.offset, query.offset + query.limit).map(copy), total: matching.length };
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Notification[]> {
    const due = [...this.notifications.values()].filter((n) => n.status === 'pending' && n.nextAttemptAt <= now).slice(0, limit);
    return due.map((n) => {
      n.startAttempt(leaseUntil);
      return copy(n);
    });
  }

  /** The next saves of delivery outcomes that fail (the database unreachable), each after `onFailedSave`. */
  failingSaves = 0;
  onFailedSave: (() => void) | undefined;
  /** Every outcome saved, in order: notification id and the status saved. */
  readonly savedOutcomes: Array<{ id: string; status: string }> = [];

  async saveDeliveryOutcome(notification: Notification): Promise<void> {
    if (this.failingSaves > 0) {
      this.failingSaves--;
      this.onFailedSave?.();
      throw new Error("Can't reach database server");
    }
    this.savedOutcomes.push({ id: notification.id, status: notification.status });
    if (this.notifications.get(notification.id)?.status === 'pending') this.notifications.set(notification.id, copy(notification));
  }

  async countPending(): Promise<number> {
    return [...this.notifications.values()].filter((n) => n.status === 'pending').length;
  }
}

const copy = (n: Notification): Notification => Notification.restore(n.id, n.snapshot());

export class FixedClock implements Clock {
  constructor(public current = new Date('2026-01-15T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Records mails; `failWith` makes every send fail (transiently unless `permanent`); `hold` keeps one address's send in flight. */
export class RecordingMailSender implements MailSender {
  readonly sent: OutgoingMail[] = [];
  failWith: { message: string; permanent: boolean } | undefined;
  private readonly held = new Map<string, Promise<void>>();

  /** Sends to `address` wait until the returned function is called. */
  hold(address: string): () => void {
    let release!: () => void;
    this.held.set(address, new Promise((resolve) => (release = resolve)));
    return () => {
      this.held.delete(address);
      release();
    };
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.held.get(mail.to);
    if (this.failWith) throw new MailDeliveryError(this.failWith.message, this.failWith.permanent);
    this.sent.push(mail);
  }
}
