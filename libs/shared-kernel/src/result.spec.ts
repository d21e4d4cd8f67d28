import { Result } from './result';

describe('Result', () => {
  it('ok carries a value and narrows on `ok`', () => {
    const result: Result<number, string> = Result.ok(42);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toBe(42);
  });

  it('ok without a value is an ok of undefined', () => {
    expect(Result.ok()).toEqual({ ok: true, value: undefined });
  });

  it('fail carries an error', () => {
    const result: Result<number, string> = Result.fail('boom');
    expect(result).toEqual({ ok: false, error: 'boom' });
  });

  it('map transforms only ok values', () => {
    expect(Result.map(Result.ok(2), (n) => n * 10)).toEqual(Result.ok(20));
    const failed: Result<number, string> = Result.fail('e');
    const mapper = jest.fn((n: number) => n * 10);
    expect(Result.map(failed, mapper)).toEqual(Result.fail('e'));
    expect(mapper).not.toHaveBeenCalled();
  });

  it('mapError transforms only failures', () => {
    expect(Result.mapError(Result.fail('e'), (e) => `${e}!`)).toEqual(Result.fail('e!'));
    expect(Result.mapError(Result.ok(1), (e: string) => `${e}!`)).toEqual(Result.ok(1));
  });

  it('andThen chains and short-circuits on the first failure', () => {
    const half = (n: number): Result<number, string> => (n % 2 === 0 ? Result.ok(n / 2) : Result.fail(`odd ${n}`));
    expect(Result.andThen(Result.ok(8), half)).toEqual(Result.ok(4));
    expect(Result.andThen(Result.ok(3), half)).toEqual(Result.fail('odd 3'));
    expect(Result.andThen(Result.fail<string>('first'), half)).toEqual(Result.fail('first'));
  });

  it('combine returns every value in order when all are ok', () => {
    const combined = Result.combine([Result.ok(1), Result.ok('two'), Result.ok(true)] as const);
    expect(combined).toEqual(Result.ok([1, 'two', true]));
  });

  it('combine returns the first failure in argument order', () => {
    const combined = Result.combine([Result.ok(1), Result.fail('a'), Result.fail('b')]);
    expect(combined).toEqual(Result.fail('a'));
  });

  it('combine of nothing is ok with an empty list', () => {
    expect(Result.combine([])).toEqual(Result.ok([]));
  });

  it('unwrap returns the value or throws the error', () => {
    expect(Result.unwrap(Result.ok('v'))).toBe('v');
    const error = new Error('nope');
    expect(() => Result.unwrap(Result.fail(error))).toThrow(error);
    expect(() => Result.unwrap(Result.fail('text'))).toThrow('text');
  });
});
