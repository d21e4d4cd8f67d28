/**
 * Expected failures as values. A use case returns `Result<Output, SomeError>` and the caller must look
 * at `ok` before touching `value` or `error`; TypeScript narrows the union for it.
 */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Fail<E> {
  readonly ok: false;
  readonly error: E;
}

export type Result<T, E> = Ok<T> | Fail<E>;

type OkValues<R extends readonly Result<unknown, unknown>[]> = {
  [K in keyof R]: R[K] extends Result<infer T, unknown> ? T : never;
};
type FailErrors<R extends readonly Result<unknown, unknown>[]> = R[number] extends Result<unknown, infer E> ? E : never;

export const Result = {
  ok<T = void>(value: T = undefined as T): Ok<T> {
    return { ok: true, value };
  },

  fail<E>(error: E): Fail<E> {
    return { ok: false, error };
  },

  map<T, U, E>(result: Result<T, E>, fn: (value: T) => U): Result<U, E> {
    return result.ok ? Result.ok(fn(result.value)) : result;
  },

  mapError<T, E, F>(result: Result<T, E>, fn: (error: E) => F): Result<T, F> {
    return result.ok ? result : Result.fail(fn(result.error));
  },

  andThen<T, U, E, F>(result: Result<T, E>, fn: (value: T) => Result<U, F>): Result<U, E | F> {
    return result.ok ? fn(result.value) : result;
  },

  /** All values when every result is ok, else the first failure (in argument order). */
  combine<R extends readonly Result<unknown, unknown>[]>(results: readonly [...R]): Result<OkValues<R>, FailErrors<R>> {
    const values: unknown[] = [];
    for (const result of results) {
      if (!result.ok) return result as Fail<FailErrors<R>>;
      values.push(result.value);
    }
    return Result.ok(values as OkValues<R>);
  },

  /** For tests and composition roots only: returns the value or throws the error. */
  unwrap<T, E>(result: Result<T, E>): T {
    if (result.ok) return result.value;
    throw result.error instanceof Error ? result.error : new Error(String(result.error));
  },
};
