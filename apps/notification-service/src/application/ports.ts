import type { Notification } from '../domain';

export interface Clock {
  now(): Date;
}

/** The inbox row of an integration event that was handled. */
export interface ProcessedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly correlationId: string;
  readonly occurredAt: Date;
  readonly processedAt: Date;
}

export type RecordOutcome = 'recorded' | 'duplicate';

/**
 * Unit of work of the consumer: writes the inbox row and the notifications in ONE transaction.
 * Returns `duplicate` (and writes nothing) when the event id is already in the inbox.
 */
export interface EventInbox {
  record(event: ProcessedEvent, notifications: readonly Notification[]): Promise<RecordOutcome>;
}

export interface NotificationPage {
  readonly items: readonly Notification[];
  readonly total: number;
}

export interface NotificationRepository {
  findById(id: string): Promise<Notification | undefined>;
  /** Newest first. Without userId: everyone's. */
  list(query: { userId?: string; offset: number; limit: number }): Promise<NotificationPage>;
  /**
   * Takes up to `limit` pending notifications that are due at `now` for this sender: counts the attempt and
   * moves their next attempt to `leaseUntil`, so no other sender (replica) takes them meanwhile, and one that
   * crashed mid-send is retried once the lease ends.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Notification[]>;
  /**
   * Stores what markSent / recordFailedAttempt changed (status, sentAt, nextAttemptAt, lastError) for one
   * notification, right after its send, unless another sender finished it meanwhile (it is no longer pending).
   */
  saveDeliveryOutcome(notification: Notification): Promise<void>;
  countPending(): Promise<number>;
}

export interface OutgoingMail {
  /** Becomes the Message-ID, so a receiver can spot a mail that was sent twice. */
  readonly notificationId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailSender {
  /** Resolves once the mail server accepted the mail; rejects with MailDeliveryError otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}

/** `permanent`: retrying cannot help (e.g. 550 mailbox unknown); otherwise the next attempt may succeed. */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailDeliveryError';
  }
}

export type Role = 'user' | 'admin';

/** Who asks, as established by the transport (a verified token). */
export interface Requester {
  readonly userId: string;
  readonly role: Role;
}
