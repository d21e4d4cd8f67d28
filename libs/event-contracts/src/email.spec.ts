import { canonicalEmail, EMAIL_PATTERN, isValidEmail, parseUserEvent, userEventFixtures } from './index';

const local = (length: number) => 'a'.repeat(length);
const label = (length: number) => 'd'.repeat(length);

describe('email rules (RFC 5321 lengths)', () => {
  it.each([
    ['ada@example.com'],
    ["o'brien+tag@mail.example.co.uk"],
    [`${local(64)}@example.com`],
    [`a@${label(63)}.com`],
    // 254 octets in all: 64 + 1 + 189.
    [`${local(64)}@${[label(63), label(63), label(58)].join('.')}.io`],
  ])('accepts %s', (address) => {
    expect(isValidEmail(address)).toBe(true);
  });

  it.each([
    ['a local part of 65 octets', `${local(65)}@example.com`],
    ['a local part of 200 octets', `${local(200)}@example.com`],
    ['a domain label of 64 octets', `a@${label(64)}.com`],
    ['255 octets in all', `${local(64)}@${[label(63), label(63), label(59)].join('.')}.io`],
    ['no local part', '@example.com'],
    ['two dots', 'a..b@example.com'],
    ['a leading dot', '.a@example.com'],
    ['no top-level domain', 'a@example'],
    ['a line break', 'a@example.com\nBcc: b@example.com'],
    ['a space', 'a b@example.com'],
    ['non-ASCII', 'ädä@example.com'],
  ])('refuses %s', (_label, address) => {
    expect(isValidEmail(address)).toBe(false);
  });

  it('has no catastrophic backtracking on long near-misses', () => {
    const startedAt = performance.now();
    for (const probe of [`${'a.'.repeat(5_000)}@`, `a@${'a-'.repeat(5_000)}`, `${'a'.repeat(10_000)}@${'b.'.repeat(5_000)}`]) {
      EMAIL_PATTERN.test(probe);
    }
    expect(performance.now() - startedAt).toBeLessThan(500);
  });

  it('the contracts refuse an address the domain would refuse', () => {
    const event = userEventFixtures.created;
    const tooLong = { ...event, payload: { ...event.payload, email: `${local(200)}@example.com` } };
    expect(parseUserEvent(tooLong)).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION' } });
  });
});

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
