import { Bulkhead, BulkheadFullError } from './index';

/** A call that runs until `finish()` is called. */
function pending(): { promise: Promise<string>; finish: (value: string) => void; fail: (error: Error) => void } {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Bulkhead', () => {
  it('runs at most maxConcurrent calls, queues maxQueued, and refuses the rest at once without running them', async () => {
    const bulkhead = new Bulkhead({ name: 'bcrypt', maxConcurrent: 2, maxQueued: 1 });
    const calls = [pending(), pending(), pending(), pending()];
    const started: number[] = [];
    const results = calls.map((call, index) =>
      bulkhead
        .run(() => {
          started.push(index);
          return call.promise;
        })
        .catch((error: unknown) => error),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect({ inProgress: bulkhead.inProgress, queued: bulkhead.queued }).toEqual({ inProgress: 2, queued: 1 });
    const refused = await results[3];
    expect(refused).toBeInstanceOf(BulkheadFullError);
    expect(refused).toMatchObject({ code: 'BULKHEAD_FULL', bulkheadName: 'bcrypt' });

    // A finished call hands its slot to the oldest queued one.
    calls[0].finish('a');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    calls[1].fail(new Error('boom'));
    calls[2].finish('c');
    expect(await Promise.all(results.slice(0, 3))).toEqual(['a', new Error('boom'), 'c']);
    expect({ inProgress: bulkhead.inProgress, queued: bulkhead.queued }).toEqual({ inProgress: 0, queued: 0 });
  });

  it('with no queue, refuses every call beyond maxConcurrent', async () => {
    const bulkhead = new Bulkhead({ name: 'x', maxConcurrent: 1, maxQueued: 0 });
    const call = pending();
    const first = bulkhead.run(() => call.promise);
    await expect(bulkhead.run(() => Promise.resolve('second'))).rejects.toBeInstanceOf(BulkheadFullError);
    call.finish('first');
    expect(await first).toBe('first');
    expect(await bulkhead.run(() => Promise.resolve('third'))).toBe('third');
  });

  it('rejects nonsensical sizes', () => {
    expect(() => new Bulkhead({ name: 'x', maxConcurrent: 0, maxQueued: 1 })).toThrow(RangeError);
    expect(() => new Bulkhead({ name: 'x', maxConcurrent: 1, maxQueued: -1 })).toThrow(RangeError);
  });
});
