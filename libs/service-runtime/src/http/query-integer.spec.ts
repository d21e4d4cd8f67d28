import { queryInteger } from './query-integer';

describe('queryInteger', () => {
  const limit = queryInteger({ min: 1, max: 100, fallback: 20 });

  it.each([
    ['5', 5],
    ['100', 100],
    ['007', 7],
    [undefined, 20],
  ])('reads %p as %p', (raw, value) => {
    expect(limit.parse(raw)).toBe(value);
  });

  // Each of these is a number to JavaScript's Number() (and to z.coerce.number()), so each used to be accepted.
  it.each(['0x10', '1e2', ' 5', '5 ', '5.0', '+5', '-5', '0b101', '0o7', 'Infinity', '', '٥', '1_000', ['5', '6']])('refuses %p', (raw) => {
    expect(limit.safeParse(raw).success).toBe(false);
  });

  it('refuses numbers outside the bounds and ones too long to be exact', () => {
    expect(limit.safeParse('0').success).toBe(false);
    expect(limit.safeParse('101').success).toBe(false);
    expect(queryInteger({ min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }).safeParse('9'.repeat(16)).success).toBe(false);
  });
});
