import { type Logger, type OutboundMessage, PublishError } from '@platform/messaging';
import { CircuitBreaker, CircuitOpenError } from '@platform/resilience';
import type { Metrics } from '@platform/service-runtime';
import { withTraceContext } from '@platform/telemetry';
import { Counter, Gauge } from 'prom-client';
import type { PrismaClient } from '../persistence/generated/client';
import { CORRELATION_ID_HEADER } from '../persistence/prisma-user.repository';

/** What the relay needs from a publisher: ConfirmPublisher of @platform/messaging. */
export interface ConfirmingPublisher {
  isReady(): boolean;
  /** Resolves only once the broker confirmed the message. */
  publish(message: OutboundMessage): Promise<void>;
}

export interface OutboxRelayOptions {
  prisma: PrismaClient;
  publisher: ConfirmingPublisher;
  exchange: string;
  logger: Logger;
  /** Registers the outbox gauges and counters on this registry. */
  metrics?: Metrics;
  /** Rows taken (and published concurrently) per batch. */
  batchSize: number;
  /** Longest wait between two looks at the table when nobody nudges the relay. */
  pollIntervalMs: number;
  /** The publisher's confirm timeout: the batch transaction must outlive every publish of the batch. */
  confirmTimeoutMs: number;
  /** Published rows older than this are deleted. */
  retentionHours?: number;
  /** A row whose publish failed waits this long before its next try, doubling per attempt up to the max. */
  retry?: { baseDelayMs: number; maxDelayMs: number };
  /** Consecutive failed batches that open the circuit, and how long it stays open. */
  circuit?: { failureThreshold: number; resetTimeoutMs: number };
}

export interface BatchOutcome {
  /** Rows taken from the table. */
  taken: number;
  /** Rows the broker confirmed; they are marked published. */
  published: number;
  /** Rows that stay pending (attempts + 1, last_error set, next_attempt_at later) for a later batch. */
  failed: number;
  /** Of the failed rows, those the broker returned because no queue is bound for their routing key. */
  unroutable: number;
}

interface PendingRow {
  eventId: string;
  routingKey: string;
  payload: { type?: string };
  headers: Record<string, string>;
}

interface PendingSnapshot {
  pending: number;
  oldestAgeSeconds: number;
}

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Publishes the outbox to RabbitMQ.
 *
 * No row is published by two relays (replicas) at once: a batch takes its rows with
 * `SELECT ... FOR UPDATE SKIP LOCKED` inside a transaction that stays open until every publish of the batch
 * is confirmed or failed, and stamps `published_at` in that same transaction. Another relay skips locked
 * rows, and a relay that dies mid-batch rolls back, so its rows become pending again (never lost). We chose
 * the lock over a lease column because a lease can expire under a slow broker and let a second relay
 * publish the same row; a lock lasts exactly as long as its holder.
 *
 * Delivery is at least once: a row is marked sent only after the broker's confirm, so a crash (or a lost
 * confirm) between publish and commit publishes it again later; consumers deduplicate by eventId.
 *
 * Messages are mandatory: one that no queue is bound for (the consumer has not declared its queue yet, e.g.
 * in a fresh environment) is returned by the broker and its row stays pending. A failed row waits until its
 * `next_attempt_at` (a delay doubling per attempt, see `retry`), and batches take only due rows, so rows
 * that stay unroutable never hold up the others. Unroutable rows are counted (`outbox_unroutable_total`)
 * and logged (warn); they do not count against the circuit, which is about the broker itself.
 *
 * Rows are published concurrently within a batch (many confirms in flight on one channel). New rows are
 * picked up at once through `nudge()` (the repository calls it after each commit) and otherwise by polling,
 * which also finds rows of other replicas and rows left by a failed batch. While the broker is away the
 * circuit breaker keeps the relay from hammering it; writes go on landing in the outbox meanwhile.
 */
export class OutboxRelay {
  private readonly breaker: CircuitBreaker;
  private readonly counters?: { published: Counter; failed: Counter; unroutable: Counter<'routing_key'> };
  private loop?: Promise<void>;
  private stopped = false;
  private nudged = false;
  private wake?: () => void;
  private lastPurgeAt = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    const { logger } = options;
    this.breaker = new CircuitBreaker({
      name: 'outbox-relay',
      failureThreshold: options.circuit?.failureThreshold ?? 3,
      resetTimeoutMs: options.circuit?.resetTimeoutMs ?? 2_000,
      onStateChange: ({ from, to }) =>
        to === 'OPEN'
          ? logger.warn('Outbox relay paused: publishing keeps failing', { circuit: to })
          : logger.info('Outbox relay circuit changed', { from, to }),
    });
    if (options.metrics) this.counters = this.registerMetrics(options.metrics);
  }

  /** Starts the publishing loop in the background. Idempotent. */
  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** There is (probably) something new to publish: look now instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Finishes the batch in flight (its confirms included), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /**
   * Publishes one batch of pending rows and records the outcome. Throws (without having changed any row)
   * when the publisher is not connected, and after recording them when some publishes failed.
   */
  async publishBatch(): Promise<BatchOutcome> {
    if (!this.options.publisher.isReady()) {
      throw new PublishError('NOT_CONNECTED', 'The outbox relay has no broker connection');
    }
    const { baseDelayMs, maxDelayMs } = this.options.retry ?? { baseDelayMs: 1_000, maxDelayMs: 60_000 };
    const { outcome, firstError, unroutable } = await this.options.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<PendingRow[]>`
          SELECT event_id::text AS "eventId", routing_key AS "routingKey", payload, headers
            FROM outbox
           WHERE published_at IS NULL AND next_attempt_at <= now()
           ORDER BY id
           LIMIT ${this.options.batchSize}
             FOR UPDATE SKIP LOCKED`;
        // Each publish continues the trace of the request that wrote the row (its stored traceparent).
        const results = await Promise.allSettled(
          rows.map((row) => withTraceContext(row.headers, () => this.options.publisher.publish(this.toMessage(row)))),
        );

        const confirmed = rows.filter((_, i) => results[i].status === 'fulfilled').map((row) => row.eventId);
        if (confirmed.length > 0) {
          await tx.$executeRaw`
            UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
             WHERE event_id = ANY(${confirmed}::uuid[])`;
        }
        const failedByReason = new Map<string, string[]>();
        const unroutableRows: PendingRow[] = [];
        results.forEach((result, i) => {
          if (result.status === 'fulfilled') return;
          if (isUnroutable(result.reason)) unroutableRows.push(rows[i]);
          const reason = describe(result.reason);
          failedByReason.set(reason, [...(failedByReason.get(reason) ?? []), rows[i].eventId]);
        });
        for (const [reason, eventIds] of failedByReason) {
          // attempts on the right is the count before this one: base, 2 × base, 4 × base, ... up to the max.
          await tx.$executeRaw`
            UPDATE outbox
               SET attempts = attempts + 1, last_error = ${reason},
                   next_attempt_at = now() + least(${maxDelayMs}::float8, ${baseDelayMs}::float8 * power(2, least(attempts, 30)))
                                             * interval '1 millisecond'
             WHERE event_id = ANY(${eventIds}::uuid[])`;
        }
        const rejected = results.find((result) => result.status === 'rejected' && !isUnroutable(result.reason));
        return {
          outcome: {
            taken: rows.length,
            published: confirmed.length,
            failed: rows.length - confirmed.length,
            unroutable: unroutableRows.length,
          },
          unroutable: unroutableRows,
          firstError: rejected?.status === 'rejected' ? (rejected.reason as unknown) : undefined,
        };
      },
      // Every publish settles within the confirm timeout; the transaction (and its locks) must outlive them.
      { maxWait: 5_000, timeout: this.options.confirmTimeoutMs + 10_000 },
    );

    this.counters?.published.inc(outcome.published);
    this.counters?.failed.inc(outcome.failed);
    if (unroutable.length > 0) this.reportUnroutable(unroutable);
    // Unroutable rows are not the broker's failure: they wait for their next attempt without opening the circuit.
    if (outcome.failed > outcome.unroutable) {
      throw new Error(
        `${outcome.failed - outcome.unroutable} of ${outcome.taken} outbox messages were not confirmed: ${describe(firstError)}`,
        {
          cause: firstError,
        },
      );
    }
    return outcome;
  }

  private reportUnroutable(rows: readonly PendingRow[]): void {
    const byRoutingKey = new Map<string, number>();
    for (const row of rows) byRoutingKey.set(row.routingKey, (byRoutingKey.get(row.routingKey) ?? 0) + 1);
    for (const [routingKey, count] of byRoutingKey) this.counters?.unroutable.inc({ routing_key: routingKey }, count);
    this.options.logger.warn(
      'Outbox events are unroutable: no queue is bound for their routing key yet; they stay pending and are retried',
      {
        exchange: this.options.exchange,
        unroutable: Object.fromEntries(byRoutingKey),
      },
    );
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.nudged = false;
      let pauseMs = this.options.pollIntervalMs;
      try {
        const { taken } = await this.breaker.execute(() => this.publishBatch());
        // A full batch means more is waiting: go on at once.
        if (taken === this.options.batchSize) pauseMs = 0;
        await this.purgeOccasionally();
      } catch (error) {
        if (error instanceof CircuitOpenError) {
          pauseMs = Math.max(error.retryAfterMs, 50);
        } else {
          // Without a connection the RabbitMQ connection itself already says so; do not repeat it per batch.
          const level = error instanceof PublishError && error.code === 'NOT_CONNECTED' ? 'debug' : 'warn';
          this.options.logger[level]('Outbox batch failed; its rows stay pending', { error: describe(error) });
        }
      }
      if (pauseMs > 0 && !this.stopped && !(this.nudged && this.breaker.state === 'CLOSED')) await this.pause(pauseMs);
    }
  }

  /** Resolves after `ms`, on a nudge while the circuit is closed, or on stop. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = () => {
        if (this.stopped || this.breaker.state === 'CLOSED') finish();
      };
    });
  }

  private async purgeOccasionally(): Promise<void> {
    if (Date.now() - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = Date.now();
    const hours = this.options.retentionHours ?? 168;
    const purged = await this.options.prisma.$executeRaw`
      DELETE FROM outbox WHERE published_at < now() - make_interval(hours => ${hours}::int)`;
    if (purged > 0) this.options.logger.info('Purged published outbox rows', { purged, retentionHours: hours });
  }

  private toMessage(row: PendingRow): OutboundMessage {
    return {
      exchange: this.options.exchange,
      routingKey: row.routingKey,
      body: Buffer.from(JSON.stringify(row.payload)),
      messageId: row.eventId,
      correlationId: row.headers[CORRELATION_ID_HEADER],
      type: row.payload.type,
      headers: row.headers,
    };
  }

  private registerMetrics(metrics: Metrics): { published: Counter; failed: Counter; unroutable: Counter<'routing_key'> } {
    const registers = [metrics.registry];
    // One query per scrape feeds both gauges; while the database is away they keep their last values.
    let snapshot: Promise<PendingSnapshot | undefined> | undefined;
    const readSnapshot = () => {
      snapshot ??= this.pendingSnapshot()
        .catch(() => undefined)
        .finally(() => setTimeout(() => (snapshot = undefined), 500).unref());
      return snapshot;
    };
    const gauge = (name: string, help: string, pick: (snapshot: PendingSnapshot) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const current = await readSnapshot();
          if (current) this.set(pick(current));
        },
      });
    gauge('outbox_pending_messages', 'Outbox rows not yet confirmed by the broker', (current) => current.pending);
    gauge(
      'outbox_oldest_pending_age_seconds',
      'Age of the oldest outbox row not yet confirmed by the broker (0 when none)',
      (current) => current.oldestAgeSeconds,
    );
    return {
      published: new Counter({ name: 'outbox_published_total', help: 'Outbox messages confirmed by the broker', registers }),
      failed: new Counter({ name: 'outbox_publish_failures_total', help: 'Outbox publishes the broker did not confirm', registers }),
      // Routing keys come from this service's own outbox rows: a fixed set of event types.
      unroutable: new Counter({
        name: 'outbox_unroutable_total',
        help: 'Outbox publishes the broker returned because no queue is bound for the routing key (the rows stay pending)',
        labelNames: ['routing_key'],
        registers,
      }),
    };
  }

  private async pendingSnapshot(): Promise<PendingSnapshot> {
    const [row] = await this.options.prisma.$queryRaw<Array<{ pending: number; age: number | null }>>`
      SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS age
        FROM outbox WHERE published_at IS NULL`;
    return { pending: row?.pending ?? 0, oldestAgeSeconds: Math.max(0, row?.age ?? 0) };
  }
}

function isUnroutable(error: unknown): boolean {
  return error instanceof PublishError && error.code === 'UNROUTABLE';
}

function describe(error: unknown): string {
  if (error instanceof PublishError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
