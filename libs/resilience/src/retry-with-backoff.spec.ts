import { AbortError } from './errors';
import { backoffDelay, retryWithBackoff } from './retry-with-backoff';

const fast = { baseDelayMs: 1, maxDelayMs: 2 };

describe('backoffDelay (full jitter)', () => {
  it('stays within [0, min(maxDelay, base * 2^(retry-1))] for every random draw', () => {
    for (const retry of [1, 2, 3, 4, 10, 30]) {
      const cap = Math.min(10_000, 100 * 2 ** (retry - 1));
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const delay = backoffDelay(retry, { baseDelayMs: 100, maxDelayMs: 10_000, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(cap);
      }
      expect(backoffDelay(retry, { baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.999999 })).toBe(Math.floor(0.999999 * cap));
    }
  });

  it('grows by `factor` and is capped by maxDelayMs', () => {
    const top = { baseDelayMs: 100, maxDelayMs: 1_000, factor: 3, random: () => 0.9999999 };
    expect([1, 2, 3, 4].map((retry) => backoffDelay(retry, top))).toEqual([99, 299, 899, 999]);
  });

  it('spreads real random delays over the whole range', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelay(4, { baseDelayMs: 100, maxDelayMs: 10_000 }));
    expect(Math.min(...delays)).toBeLessThan(80);
    expect(Math.max(...delays)).toBeGreaterThan(720);
    expect(Math.max(...delays)).toBeLessThanOrEqual(800);
  });
});

describe('retryWithBackoff', () => {
  it('returns the first success and reports each retry', async () => {
    const onRetry = jest.fn();
    const operation = jest
      .fn<Promise<string>, [number]>()
      .mockRejectedValueOnce(new Error('1'))
      .mockRejectedValueOnce(new Error('2'))
      .mockResolvedValue('done');
    await expect(retryWithBackoff(operation, { ...fast, maxAttempts: 5, onRetry })).resolves.toBe('done');
    expect(operation.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
    expect(onRetry).toHaveBeenCalledTimes(2);
    expect(onRetry.mock.calls[0][0]).toEqual(new Error('1'));
    expect(onRetry.mock.calls[0][1]).toBe(1);
  });

  it('rethrows the last error after maxAttempts', async () => {
    let calls = 0;
    const operation = async (): Promise<never> => {
      calls++;
      throw new Error(`fail ${calls}`);
    };
    await expect(retryWithBackoff(operation, { ...fast, maxAttempts: 3 })).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('stops at once when shouldRetry says no', async () => {
    const operation = jest.fn().mockRejectedValue(new Error('permanent'));
    await expect(
      retryWithBackoff(operation, { ...fast, maxAttempts: 5, shouldRetry: (e) => (e as Error).message !== 'permanent' }),
    ).rejects.toThrow('permanent');
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('aborts while waiting between attempts, without waiting the delay out', async () => {
    const controller = new AbortController();
    const operation = jest.fn().mockRejectedValue(new Error('down'));
    const started = Date.now();
    const promise = retryWithBackoff(operation, {
      maxAttempts: 10,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.5,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(promise).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const operation = jest.fn();
    await expect(retryWithBackoff(operation, { ...fast, maxAttempts: 3, signal: controller.signal })).rejects.toThrow('cancelled');
    expect(operation).not.toHaveBeenCalled();
  });

  it('rejects a nonsensical maxAttempts', async () => {
    await expect(retryWithBackoff(jest.fn(), { ...fast, maxAttempts: 0 })).rejects.toThrow(RangeError);
  });
});
