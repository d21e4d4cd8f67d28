import type { ProcessedEvent } from '../../application';
import { BatchingEventInbox, type BatchInboxStore } from './batching-event-inbox';

const event = (eventId: string): ProcessedEvent => ({
  eventId,
  eventType: 'user.created',
  correlationId: 'req-1',
  occurredAt: new Date(0),
  processedAt: new Date(0),
});

/** Records ids like the inbox table; `poison` makes any batch containing it fail. */
class FakeStore implements BatchInboxStore {
  readonly batches: string[][] = [];
  readonly stored = new Set<string>();
  poison = new Set<string>();
  async recordMany(entries: ReadonlyArray<{ event: ProcessedEvent }>): Promise<Set<string>> {
    const ids = entries.map((e) => e.event.eventId);
    this.batches.push(ids);
    if (ids.some((id) => this.poison.has(id))) throw new Error('constraint violated');
    const recorded = new Set(ids.filter((id) => !this.stored.has(id)));
    for (const id of recorded) this.stored.add(id);
    return recorded;
  }
}

describe('BatchingEventInbox', () => {
  it('writes the calls of one event-loop turn as one batch, at most maxBatchSize each', async () => {
    const store = new FakeStore();
    const inbox = new BatchingEventInbox(store, 3);
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((id) => inbox.record(event(id), [])));
    expect(outcomes).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
    expect(store.batches).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('reports an event already stored, or twice in one batch, as a duplicate', async () => {
    const store = new FakeStore();
    const inbox = new BatchingEventInbox(store);
    await inbox.record(event('a'), []);
    expect(await Promise.all([inbox.record(event('a'), []), inbox.record(event('b'), []), inbox.record(event('b'), [])])).toEqual([
      'duplicate',
      'recorded',
      'duplicate',
    ]);
  });

  it('retries a failed batch entry by entry, so only the bad one fails', async () => {
    const store = new FakeStore();
    store.poison.add('bad');
    const inbox = new BatchingEventInbox(store);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((id) => inbox.record(event(id), [])));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect([...store.stored].sort()).toEqual(['a', 'c']);
  });
});
