import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';
import { CircuitOpenError, TimeoutError } from './errors';

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const fine = (): Promise<string> => Promise.resolve('ok');

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(overrides: Partial<CircuitBreakerOptions> = {}) {
  let clock = 1_000;
  const changes: Array<[CircuitState, CircuitState]> = [];
  const breaker = new CircuitBreaker({
    name: 'upstream',
    failureThreshold: 3,
    resetTimeoutMs: 5_000,
    now: () => clock,
    onStateChange: ({ from, to }) => changes.push([from, to]),
    ...overrides,
  });
  const advance = (ms: number): void => {
    clock += ms;
  };
  const failTimes = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await expect(breaker.execute(boom)).rejects.toThrow('boom');
  };
  return { breaker, changes, advance, failTimes };
}

describe('CircuitBreaker', () => {
  it('starts closed and passes results and errors through', async () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('CLOSED');
    await expect(breaker.execute(fine)).resolves.toBe('ok');
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.state).toBe('CLOSED');
  });

  it('opens after `failureThreshold` consecutive failures', async () => {
    const { breaker, changes, failTimes } = setup();
    await failTimes(3);
    expect(breaker.state).toBe('OPEN');
    expect(changes).toEqual([['CLOSED', 'OPEN']]);
  });

  describe('with a failure-rate window', () => {
    const windowed = { failureThreshold: 3, failureRate: { threshold: 0.5, windowMs: 10_000 } };

    it('does not open on failures in a row while they are a small share of the recent calls', async () => {
      const { breaker, failTimes } = setup(windowed);
      for (let i = 0; i < 20; i++) await breaker.execute(fine);
      // Five in a row would open a consecutive-count breaker; here they are 5 of 25.
      await failTimes(5);
      expect(breaker.state).toBe('CLOSED');
    });

    it('opens once at least failureThreshold calls failed and they are at least the rate of the window', async () => {
      const { breaker, changes, failTimes } = setup(windowed);
      for (let i = 0; i < 4; i++) await breaker.execute(fine);
      await failTimes(3);
      expect(breaker.state).toBe('CLOSED'); // 3 of 7
      await failTimes(1);
      expect(breaker.state).toBe('OPEN'); // 4 of 8
      expect(changes).toEqual([['CLOSED', 'OPEN']]);
    });

    it('never opens on fewer failures than failureThreshold, however high their share', async () => {
      const { breaker, failTimes } = setup(windowed);
      await failTimes(2);
      expect(breaker.state).toBe('CLOSED');
    });

    it('forgets calls older than the window', async () => {
      const { breaker, advance, failTimes } = setup(windowed);
      for (let i = 0; i < 20; i++) await breaker.execute(fine);
      advance(11_000);
      await failTimes(3);
      expect(breaker.state).toBe('OPEN');
    });

    it("ignores errors that are not the upstream's failures (neither success nor failure)", async () => {
      const { breaker, failTimes } = setup({ ...windowed, isFailure: (error) => !(error instanceof RangeError) });
      for (let i = 0; i < 10; i++) await expect(breaker.execute(() => Promise.reject(new RangeError('4xx')))).rejects.toThrow();
      await failTimes(3);
      expect(breaker.state).toBe('OPEN');
    });

    it('starts a fresh window after a trial closed the circuit', async () => {
      const { breaker, advance, failTimes } = setup(windowed);
      await failTimes(3);
      advance(5_000);
      await breaker.execute(fine);
      expect(breaker.state).toBe('CLOSED');
      await failTimes(2);
      expect(breaker.state).toBe('CLOSED');
    });

    it('rejects a rate outside (0, 1]', () => {
      expect(() => setup({ failureRate: { threshold: 0, windowMs: 1_000 } })).toThrow(RangeError);
      expect(() => setup({ failureRate: { threshold: 1.5, windowMs: 1_000 } })).toThrow(RangeError);
    });
  });

  it('a success resets the consecutive failure count while closed', async () => {
    const { breaker, failTimes } = setup();
    await failTimes(2);
    await breaker.execute(fine);
    await failTimes(2);
    expect(breaker.state).toBe('CLOSED');
  });

  it('while open, rejects at once with CircuitOpenError without calling the operation', async () => {
    const { breaker, failTimes, advance } = setup();
    await failTimes(3);
    advance(1_000);
    const operation = jest.fn(fine);
    const error = await breaker.execute(operation).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', circuitName: 'upstream', retryAfterMs: 4_000 });
    expect(operation).not.toHaveBeenCalled();
    expect(breaker.retryAfterMs()).toBe(4_000);
  });

  it('becomes half-open after the reset timeout and closes on a successful trial', async () => {
    const { breaker, changes, failTimes, advance } = setup();
    await failTimes(3);
    advance(5_000);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.retryAfterMs()).toBe(0);
    await expect(breaker.execute(fine)).resolves.toBe('ok');
    expect(breaker.state).toBe('CLOSED');
    expect(changes).toEqual([
      ['CLOSED', 'OPEN'],
      ['OPEN', 'HALF_OPEN'],
      ['HALF_OPEN', 'CLOSED'],
    ]);
  });

  it('a failed trial opens the circuit again for a full reset timeout', async () => {
    const { breaker, changes, failTimes, advance } = setup();
    await failTimes(3);
    advance(5_000);
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.state).toBe('OPEN');
    expect(breaker.retryAfterMs()).toBe(5_000);
    expect(changes.at(-1)).toEqual(['HALF_OPEN', 'OPEN']);
  });

  it('admits only `halfOpenMaxConcurrent` concurrent trials and rejects the rest fast', async () => {
    const { breaker, failTimes, advance } = setup({ halfOpenMaxConcurrent: 2 });
    await failTimes(3);
    advance(5_000);

    const first = deferred<string>();
    const second = deferred<string>();
    const trial1 = breaker.execute(() => first.promise);
    const trial2 = breaker.execute(() => second.promise);
    const extra = jest.fn(fine);
    await expect(breaker.execute(extra)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterMs: 0 });
    expect(extra).not.toHaveBeenCalled();

    first.resolve('one');
    await expect(trial1).resolves.toBe('one');
    expect(breaker.state).toBe('CLOSED');
    second.resolve('two');
    await expect(trial2).resolves.toBe('two');
    expect(breaker.state).toBe('CLOSED');
  });

  it('frees a trial slot when a trial finishes, so a later call can try', async () => {
    const { breaker, failTimes, advance } = setup({ successThreshold: 2 });
    await failTimes(3);
    advance(5_000);
    await breaker.execute(fine);
    expect(breaker.state).toBe('HALF_OPEN');
    await breaker.execute(fine);
    expect(breaker.state).toBe('CLOSED');
  });

  it('ignores the outcome of a call admitted while closed that finishes after the circuit opened', async () => {
    const { breaker, failTimes, advance } = setup();
    const slow = deferred<string>();
    const late = breaker.execute(() => slow.promise);
    await failTimes(3);
    advance(5_000);
    slow.resolve('late');
    await late;
    expect(breaker.state).toBe('HALF_OPEN');
  });

  it('an error that is not a failure neither closes nor reopens a half-open circuit', async () => {
    const { breaker, failTimes, advance } = setup({ isFailure: (e) => (e as Error).message !== 'client gave up' });
    await failTimes(3);
    advance(5_000);
    await expect(breaker.execute(() => Promise.reject(new Error('client gave up')))).rejects.toThrow('client gave up');
    expect(breaker.state).toBe('HALF_OPEN');
    await breaker.execute(fine);
    expect(breaker.state).toBe('CLOSED');
  });

  it('errors rejected by isFailure do not count', async () => {
    const { breaker, failTimes } = setup({ isFailure: (e) => (e as Error).message !== 'boom' });
    await failTimes(10);
    expect(breaker.state).toBe('CLOSED');
  });

  describe('call timeouts', () => {
    it('a call over `callTimeoutMs` fails with TimeoutError, is aborted, and counts as a failure', async () => {
      const { breaker } = setup({ failureThreshold: 1, callTimeoutMs: 20 });
      let aborted = false;
      const hanging = (signal?: AbortSignal): Promise<never> =>
        new Promise((_, reject) => {
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        });
      await expect(breaker.execute(hanging)).rejects.toBeInstanceOf(TimeoutError);
      expect(aborted).toBe(true);
      expect(breaker.state).toBe('OPEN');
    });

    it('a timed-out half-open trial reopens the circuit', async () => {
      const { breaker, failTimes, advance } = setup({ callTimeoutMs: 20 });
      await failTimes(3);
      advance(5_000);
      await expect(breaker.execute(() => new Promise(() => undefined))).rejects.toBeInstanceOf(TimeoutError);
      expect(breaker.state).toBe('OPEN');
    });

    it('leaves no timer behind after fast calls', async () => {
      const { breaker } = setup({ callTimeoutMs: 60_000 });
      const timersBefore = countTimers();
      for (let i = 0; i < 50; i++) await breaker.execute(fine);
      await expect(breaker.execute(boom)).rejects.toThrow('boom');
      expect(countTimers()).toBe(timersBefore);
    });
  });

  it('validates its options', () => {
    expect(() => new CircuitBreaker({ name: 'x', failureThreshold: 0, resetTimeoutMs: 1 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ name: 'x', failureThreshold: 1, resetTimeoutMs: 1, halfOpenMaxConcurrent: 0 })).toThrow(RangeError);
  });
});

function countTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}
