import { ValidationError } from './domain-error';
import { Guard } from './guard';

function expectViolation(result: { ok: boolean; error?: unknown }, field: string): void {
  expect(result.ok).toBe(false);
  expect(result.error).toBeInstanceOf(ValidationError);
  expect((result.error as ValidationError).code).toBe('VALIDATION_FAILED');
  expect((result.error as ValidationError).field).toBe(field);
}

describe('Guard', () => {
  describe('againstNullOrUndefined', () => {
    it.each([null, undefined])('rejects %p', (value) => {
      expectViolation(Guard.againstNullOrUndefined(value, 'name'), 'name');
    });
    it.each([0, '', false, []])('accepts the falsy but present value %p', (value) => {
      expect(Guard.againstNullOrUndefined(value, 'x')).toEqual({ ok: true, value });
    });
  });

  describe('againstEmpty', () => {
    it.each(['', '   ', '\t\n'])('rejects the blank string %p', (value) => {
      expectViolation(Guard.againstEmpty(value, 'name'), 'name');
    });
    it('rejects an empty array, null and undefined', () => {
      expectViolation(Guard.againstEmpty([], 'tags'), 'tags');
      expectViolation(Guard.againstEmpty(null, 'tags'), 'tags');
      expectViolation(Guard.againstEmpty(undefined, 'tags'), 'tags');
    });
    it('accepts content', () => {
      expect(Guard.againstEmpty(' a ', 'name').ok).toBe(true);
      expect(Guard.againstEmpty([0], 'tags').ok).toBe(true);
    });
  });

  describe('inRange', () => {
    it('includes both bounds', () => {
      expect(Guard.inRange(1, 1, 100, 'limit').ok).toBe(true);
      expect(Guard.inRange(100, 1, 100, 'limit').ok).toBe(true);
    });
    it.each([0, 101, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %p', (value) => {
      expectViolation(Guard.inRange(value, 1, 100, 'limit'), 'limit');
    });
  });

  describe('lengthBetween', () => {
    it('includes both bounds', () => {
      expect(Guard.lengthBetween('ab', 2, 3, 'name').ok).toBe(true);
      expect(Guard.lengthBetween('abc', 2, 3, 'name').ok).toBe(true);
    });
    it('rejects too short and too long', () => {
      expectViolation(Guard.lengthBetween('a', 2, 3, 'name'), 'name');
      expectViolation(Guard.lengthBetween('abcd', 2, 3, 'name'), 'name');
    });
    it('counts an astral character (emoji) once', () => {
      expect(Guard.lengthBetween('😀😀', 2, 2, 'name').ok).toBe(true);
    });
  });

  it('matches tests a pattern', () => {
    expect(Guard.matches('abc1', /\d/, 'pw', 'needs a digit').ok).toBe(true);
    const failed = Guard.matches('abc', /\d/, 'pw', 'needs a digit');
    expectViolation(failed, 'pw');
    expect(!failed.ok && failed.error.message).toBe('pw needs a digit');
  });

  it('combine returns the first violation or ok', () => {
    expect(Guard.combine([Guard.inRange(1, 0, 2, 'a'), Guard.againstEmpty('x', 'b')]).ok).toBe(true);
    const combined = Guard.combine([Guard.inRange(1, 0, 2, 'a'), Guard.againstEmpty('', 'b'), Guard.againstEmpty('', 'c')]);
    expectViolation(combined, 'b');
    expect(Guard.combine([]).ok).toBe(true);
  });
});
