import type { EventInbox, NotificationPage, NotificationRepository, ProcessedEvent, RecordOutcome } from '../../application';
import { Notification, type NotificationKind } from '../../domain';
import type { Notification as NotificationRow, NotificationKind as DbKind } from './generated/client';
import type { NotificationsPrismaClient } from './prisma-client';

// Prisma enum member names cannot hold "-": the database values are the domain's, the client's use "_".
const toDomainKind = (kind: DbKind): NotificationKind => kind.replace(/_/g, '-') as NotificationKind;

function toDomain(row: NotificationRow): Notification {
  const { id, kind, subject, textBody, htmlBody, ...props } = row;
  return Notification.restore(id, { ...props, kind: toDomainKind(kind), content: { subject, text: textBody, html: htmlBody } });
}

/** Postgres (through Prisma) behind both ports of the service: the inbox unit of work and the repository. */
export class PrismaNotificationRepository implements EventInbox, NotificationRepository {
  constructor(private readonly prisma: NotificationsPrismaClient) {}

  record(event: ProcessedEvent, notifications: readonly Notification[]): Promise<RecordOutcome> {
    return this.recordMany([{ event, notifications }]).then((recorded) => (recorded.has(event.eventId) ? 'recorded' : 'duplicate'));
  }

  /**
   * Records several events with their notifications in ONE statement, i.e. one transaction: the inbox rows
   * go in with ON CONFLICT DO NOTHING, and only the notifications of the events whose inbox row went in are
   * inserted with them. Returns the ids of the events recorded now (the others were already in the inbox).
   * One round trip, no interactive transaction: about 5x the throughput of Prisma's $transaction here.
   */
  async recordMany(entries: ReadonlyArray<{ event: ProcessedEvent; notifications: readonly Notification[] }>): Promise<Set<string>> {
    const events = entries.map(({ event }) => ({
      event_id: event.eventId,
      event_type: event.eventType,
      correlation_id: event.correlationId,
      occurred_at: event.occurredAt.toISOString(),
      processed_at: event.processedAt.toISOString(),
    }));
    const notifications = entries.flatMap(({ notifications: list }) =>
      list.map((n) => ({
        id: n.id,
        user_id: n.userId,
        event_id: n.eventId,
        correlation_id: n.correlationId,
        kind: n.kind,
        recipient: n.recipient,
        subject: n.content.subject,
        text_body: n.content.text,
        html_body: n.content.html,
        status: n.status,
        attempts: n.attempts,
        next_attempt_at: n.nextAttemptAt.toISOString(),
        created_at: n.createdAt.toISOString(),
      })),
    );
    const rows = await this.prisma.$queryRaw<Array<{ event_id: string }>>`
      WITH inbox AS (
        INSERT INTO processed_events (event_id, event_type, correlation_id, occurred_at, processed_at)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
          AS e(event_id uuid, event_type text, correlation_id text, occurred_at timestamptz, processed_at timestamptz)
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id
      ), notes AS (
        INSERT INTO notifications (id, user_id, event_id, correlation_id, kind, recipient, subject, text_body, html_body,
                                   status, attempts, next_attempt_at, created_at)
        SELECT n.id, n.user_id, n.event_id, n.correlation_id, n.kind, n.recipient, n.subject, n.text_body, n.html_body,
               n.status, n.attempts, n.next_attempt_at, n.created_at
          FROM jsonb_to_recordset(${JSON.stringify(notifications)}::jsonb)
            AS n(id uuid, user_id uuid, event_id uuid, correlation_id text, kind notification_kind, recipient text,
                 subject text, text_body text, html_body text, status notification_status, attempts int,
                 next_attempt_at timestamptz, created_at timestamptz)
          JOIN inbox USING (event_id)
        RETURNING 1
      )
      SELECT event_id::text FROM inbox`;
    return new Set(rows.map((row) => row.event_id));
  }

  async findById(id: string): Promise<Notification | undefined> {
    const row = await this.prisma.notification.findUnique({ where: { id } });
    return row ? toDomain(row) : undefined;
  }

  async list(query: { userId?: string; offset: number; limit: number }): Promise<NotificationPage> {
    const where = query.userId === undefined ? {} : { userId: query.userId };
    const [rows, total] = await Promise.all([
      this.prisma.notification.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        skip: query.offset,
        take: query.limit,
      }),
      this.prisma.notification.count({ where }),
    ]);
    return { items: rows.map(toDomain), total };
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Notification[]> {
    // SKIP LOCKED: concurrent senders (replicas) each take different rows and never wait for each other.
    const claimed = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE notifications
         SET attempts = attempts + 1, next_attempt_at = ${leaseUntil}
       WHERE id IN (SELECT id FROM notifications
                     WHERE status = 'pending' AND next_attempt_at <= ${now}
                     ORDER BY next_attempt_at
                     LIMIT ${limit}
                     FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (claimed.length === 0) return [];
    const rows = await this.prisma.notification.findMany({
      where: { id: { in: claimed.map((row) => row.id) } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toDomain);
  }

  async saveDeliveryOutcome(notification: Notification): Promise<void> {
    // Only a row still pending: never overwrite a row another sender finished after our lease ran out.
    await this.prisma.notification.updateMany({
      where: { id: notification.id, status: 'pending' },
      data: {
        status: notification.status,
        sentAt: notification.sentAt ?? null,
        nextAttemptAt: notification.nextAttemptAt,
        lastError: notification.lastError ?? null,
      },
    });
  }

  countPending(): Promise<number> {
    return this.prisma.notification.count({ where: { status: 'pending' } });
  }

  /** Readiness: a round trip to Postgres. */
  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }
}
