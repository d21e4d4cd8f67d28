import { canonicalEmail } from './index';

describe('canonicalEmail', () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['  ADA@Example.COM\t', 'ada@example.com'],
    // Unicode white space and a leading byte order mark are trimmed too.
    ['\u00a0\ufeffAda@example.com\u3000', 'ada@example.com'],
    // The Kelvin sign lower-cases to a plain k: one mailbox, one spelling.
    ['\u212aate@example.com', 'kate@example.com'],
  ])('%j → %j', (raw, canonical) => {
    expect(canonicalEmail(raw)).toBe(canonical);
  });
});
