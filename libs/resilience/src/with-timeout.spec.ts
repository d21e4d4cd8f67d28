import { AbortError, TimeoutError } from './errors';
import { sleep } from './sleep';
import { withTimeout } from './with-timeout';

const countTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('withTimeout', () => {
  it('returns the result of a fast operation and clears its timer', async () => {
    const before = countTimers();
    await expect(withTimeout(async () => 'fast', 60_000)).resolves.toBe('fast');
    expect(countTimers()).toBe(before);
  });

  it('passes a failure through and clears its timer', async () => {
    const before = countTimers();
    await expect(withTimeout(async () => Promise.reject(new Error('bad')), 60_000)).rejects.toThrow('bad');
    expect(countTimers()).toBe(before);
  });

  it('rejects with TimeoutError and aborts the operation signal when the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    const error = await withTimeout((signal) => {
      seen = signal;
      return new Promise(() => undefined);
    }, 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 20 });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it("aborts when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const promise = withTimeout((signal) => sleep(60_000, signal), 60_000, { signal: controller.signal });
    controller.abort(new AbortError('caller gave up'));
    await expect(promise).rejects.toThrow('caller gave up');
  });

  it('refuses to start when the caller signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const operation = jest.fn();
    await expect(withTimeout(operation, 1_000, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(operation).not.toHaveBeenCalled();
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const started = Date.now();
    await sleep(15);
    expect(Date.now() - started).toBeGreaterThanOrEqual(14);
  });

  it('rejects at once and clears its timer on abort', async () => {
    const before = countTimers();
    const controller = new AbortController();
    const promise = sleep(60_000, controller.signal);
    controller.abort();
    await expect(promise).rejects.toBeInstanceOf(AbortError);
    expect(countTimers()).toBe(before);
  });
});
