import { Entity } from '@platform/shared-kernel';

/** What a notification tells the user; one kind per mail template. */
export const NOTIFICATION_KINDS = ['welcome', 'email-changed-old', 'email-changed-new', 'deactivated', 'goodbye'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface NotificationProps {
  userId: string;
  eventId: string;
  /** Request id of the HTTP request behind the event, so the sender's log lines carry it too. */
  correlationId: string;
  kind: NotificationKind;
  recipient: string;
  content: MailContent;
  status: NotificationStatus;
  /** Delivery attempts started so far (a claim counts as one). */
  attempts: number;
  /** When the sender may (re)try; while a sender holds the row it is the end of its lease. */
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** How long to wait before the next delivery attempt, and when to give up. */
export interface DeliveryRetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential: base, 2·base, 4·base… capped at maxDelayMs. `attempt` is the attempt that just failed (1-based). */
export function retryDelayMs(attempt: number, policy: DeliveryRetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

const MAX_ERROR_LENGTH = 500;

/**
 * One mail to one recipient, caused by one integration event. It starts pending; the sender marks it sent,
 * or records a failed attempt (retry later) until the policy gives up, then it is failed.
 */
export class Notification extends Entity<NotificationProps> {
  static create(input: {
    id: string;
    userId: string;
    eventId: string;
    correlationId: string;
    kind: NotificationKind;
    recipient: string;
    content: MailContent;
    now: Date;
  }): Notification {
    const { id, now, ...rest } = input;
    return new Notification(id, {
      ...rest,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      sentAt: null,
    });
  }

  /** Rebuilds a stored notification (repositories only). */
  static restore(id: string, props: NotificationProps): Notification {
    return new Notification(id, { ...props });
  }

  get userId(): string {
    return this.props.userId;
  }
  get eventId(): string {
    return this.props.eventId;
  }
  get correlationId(): string {
    return this.props.correlationId;
  }
  get kind(): NotificationKind {
    return this.props.kind;
  }
  get recipient(): string {
    return this.props.recipient;
  }
  get content(): MailContent {
    return this.props.content;
  }
  get status(): NotificationStatus {
    return this.props.status;
  }
  get attempts(): number {
    return this.props.attempts;
  }
  get nextAttemptAt(): Date {
    return this.props.nextAttemptAt;
  }
  get lastError(): string | null {
    return this.props.lastError;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get sentAt(): Date | null {
    return this.props.sentAt;
  }

  /** A copy of the state, for repositories. */
  snapshot(): NotificationProps {
    return { ...this.props };
  }

  belongsTo(userId: string): boolean {
    return this.props.userId === userId;
  }

  /** A sender takes it: one more attempt, and nobody else may until `leaseUntil`. */
  startAttempt(leaseUntil: Date): void {
    this.props.attempts += 1;
    this.props.nextAttemptAt = leaseUntil;
  }

  markSent(at: Date): void {
    this.props.status = 'sent';
    this.props.sentAt = at;
    this.props.lastError = null;
  }

  /**
   * Records that the current attempt failed. A permanent failure (the mail server refused the recipient)
   * or the last allowed attempt makes the notification failed; otherwise it is due again after a backoff.
   */
  recordFailedAttempt(error: string, at: Date, permanent: boolean, policy: DeliveryRetryPolicy): void {
    this.props.lastError = error.length <= MAX_ERROR_LENGTH ? error : `${error.slice(0, MAX_ERROR_LENGTH - 1)}…`;
    if (permanent || this.props.attempts >= policy.maxAttempts) {
      this.props.status = 'failed';
      return;
    }
    this.props.nextAttemptAt = new Date(at.getTime() + retryDelayMs(this.props.attempts, policy));
  }
}
