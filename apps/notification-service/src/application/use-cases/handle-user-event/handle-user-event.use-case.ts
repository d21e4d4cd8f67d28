import type { UserEvent } from '@platform/event-contracts';
import { Notification, renderMail } from '../../../domain';
import type { Clock, EventInbox, RecordOutcome } from '../../ports';
import { plannedMails } from './notification-plan';

export interface HandleUserEventResult {
  readonly outcome: RecordOutcome;
  /** The notifications recorded as pending (none for a duplicate). */
  readonly notifications: readonly Notification[];
}

/**
 * Turns a user event into pending notifications, exactly once per event id: the inbox row and the
 * notifications are written together, and an event already in the inbox changes nothing. Sending is
 * someone else's job (SendPendingNotifications), so a mail server outage never holds up the queue.
 */
export class HandleUserEventUseCase {
  constructor(private readonly deps: { inbox: EventInbox; clock: Clock }) {}

  async execute(event: UserEvent): Promise<HandleUserEventResult> {
    const now = this.deps.clock.now();
    const notifications = plannedMails(event).map((mail) =>
      Notification.create({
        id: globalThis.crypto.randomUUID(),
        userId: event.payload.userId,
        eventId: event.eventId,
        correlationId: event.correlationId,
        kind: mail.kind,
        recipient: mail.recipient,
        content: renderMail(mail.kind, mail.data),
        now,
      }),
    );
    const outcome = await this.deps.inbox.record(
      {
        eventId: event.eventId,
        eventType: event.type,
        correlationId: event.correlationId,
        occurredAt: new Date(event.occurredAt),
        processedAt: now,
      },
      notifications,
    );
    return { outcome, notifications: outcome === 'recorded' ? notifications : [] };
  }
}
