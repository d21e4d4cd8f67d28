import type { EventInbox, ProcessedEvent, RecordOutcome } from '../../application';
import type { Notification } from '../../domain';

export interface BatchInboxStore {
  /** Writes the entries in one transaction; returns the ids of the events recorded (not already there). */
  recordMany(entries: ReadonlyArray<{ event: ProcessedEvent; notifications: readonly Notification[] }>): Promise<Set<string>>;
}

interface Waiting {
  event: ProcessedEvent;
  notifications: readonly Notification[];
  resolve(outcome: RecordOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the consumer: the events whose handlers call `record` in the same turn of the event loop
 * (a prefetch burst) are written in ONE transaction, so a commit (and its fsync) is paid per batch instead of
 * per event. Each caller still learns its own outcome, and only after the commit, so every message is still
 * acked only once its rows are durable. If a batch fails, its entries are retried one by one, so one bad
 * entry cannot fail its neighbours.
 */
export class BatchingEventInbox implements EventInbox {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly store: BatchInboxStore,
    private readonly maxBatchSize = 100,
  ) {}

  record(event: ProcessedEvent, notifications: readonly Notification[]): Promise<RecordOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, notifications, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0) void this.write(this.waiting.splice(0, this.maxBatchSize));
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      // The same event twice in one batch: the first one is written, the second is its duplicate.
      const firsts = new Map<string, Waiting>();
      for (const entry of batch) if (!firsts.has(entry.event.eventId)) firsts.set(entry.event.eventId, entry);
      const recorded = await this.store.recordMany([...firsts.values()]);
      for (const entry of batch) {
        entry.resolve(firsts.get(entry.event.eventId) === entry && recorded.has(entry.event.eventId) ? 'recorded' : 'duplicate');
      }
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // Concurrent single writes of the same event id are still safe: the inbox key decides.
      await Promise.all(batch.map((entry) => this.write([entry])));
    }
  }
}
