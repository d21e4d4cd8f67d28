import { ValidationError } from './domain-error';
import { Result } from './result';

type GuardResult<T> = Result<T, ValidationError>;

/** Invariant checks that return Results instead of throwing. `field` names the value in the error. */
export const Guard = {
  againstNullOrUndefined<T>(value: T | null | undefined, field: string): GuardResult<T> {
    return value === null || value === undefined ? Result.fail(new ValidationError(field, `${field} is required`)) : Result.ok(value);
  },

  /** Rejects null/undefined, empty or whitespace-only strings and empty arrays. */
  againstEmpty<T extends string | readonly unknown[]>(value: T | null | undefined, field: string): GuardResult<T> {
    if (value === null || value === undefined) return Result.fail(new ValidationError(field, `${field} is required`));
    const empty = typeof value === 'string' ? value.trim().length === 0 : value.length === 0;
    return empty ? Result.fail(new ValidationError(field, `${field} must not be empty`)) : Result.ok(value);
  },

  /** Inclusive range; NaN is never in range. */
  inRange(value: number, min: number, max: number, field: string): GuardResult<number> {
    return Number.isFinite(value) && value >= min && value <= max
      ? Result.ok(value)
      : Result.fail(new ValidationError(field, `${field} must be between ${min} and ${max}`));
  },

  /** Inclusive bounds on the number of characters (code points, so an emoji counts once). */
  lengthBetween(value: string, min: number, max: number, field: string): GuardResult<string> {
    const length = [...value].length;
    return length >= min && length <= max
      ? Result.ok(value)
      : Result.fail(new ValidationError(field, `${field} must be between ${min} and ${max} characters long`));
  },

  matches(value: string, pattern: RegExp, field: string, description: string): GuardResult<string> {
    return pattern.test(value) ? Result.ok(value) : Result.fail(new ValidationError(field, `${field} ${description}`));
  },

  /** The first failing guard, or ok. */
  combine(results: readonly GuardResult<unknown>[]): GuardResult<void> {
    const failure = results.find((result) => !result.ok);
    return failure && !failure.ok ? Result.fail(failure.error) : Result.ok();
  },
};
