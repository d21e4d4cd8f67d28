import { Result } from '@platform/shared-kernel';
import { Email } from './email';
import { MAX_PASSWORD_BYTES, PlainPassword } from './plain-password';
import { UserId } from './user-id';
import { UserName } from './user-name';

describe('Email', () => {
  it('is trimmed and lower-cased', () => {
    expect(Result.unwrap(Email.create('  Ada.Lovelace@Example.COM ')).value).toBe('ada.lovelace@example.com');
  });

  it('accepts a local part of exactly 64 octets', () => {
    expect(Email.create(`${'a'.repeat(64)}@example.com`).ok).toBe(true);
  });

  it('equals another address that differs only in case', () => {
    expect(Result.unwrap(Email.create('A@x.io')).equals(Result.unwrap(Email.create('a@X.IO')))).toBe(true);
  });

  it.each([
    '',
    '   ',
    'plain',
    'a@b',
    '@example.com',
    'a@@example.com',
    'a..b@example.com',
    'a b@example.com',
    `${'a'.repeat(250)}@x.io`,
    // RFC 5321: a local part of at most 64 octets, domain labels of at most 63.
    `${'a'.repeat(65)}@example.com`,
    `${'a'.repeat(200)}@example.com`,
    `a@${'d'.repeat(64)}.com`,
  ])('refuses %p with VALIDATION_FAILED on the email field', (raw) => {
    const result = Email.create(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'email' });
  });
});

describe('UserName', () => {
  it('is trimmed', () => {
    expect(Result.unwrap(UserName.create('  Ada  ')).value).toBe('Ada');
  });

  it.each([
    ['2 characters', 'Al', true],
    ['100 characters', 'x'.repeat(100), true],
    ['1 character', 'A', false],
    ['blank', '   ', false],
    ['101 characters', 'x'.repeat(101), false],
    ['60 emoji (120 UTF-16 units, more than the event contract allows)', '😀'.repeat(60), false],
    ['a NUL character', 'Ada\u0000Lovelace', false],
    ['a control character', 'Ada\u0007', false],
    ['a lone surrogate', 'Ada \uD800 Lovelace', false],
    ['a right-to-left name with combining marks', 'עֲדָה', true],
    ['a right-to-left override (U+202E)', 'Ada ‮gnp.exe', false],
    ['a left-to-right isolate (U+2066)', 'Ada⁦ Lovelace', false],
    ['a right-to-left mark (U+200F)', 'Ada‏', false],
    ['an Arabic letter mark (U+061C)', 'Ada؜', false],
  ])('%s: valid=%p', (_label, raw, valid) => {
    expect(UserName.create(raw as string).ok).toBe(valid);
  });
});

describe('PlainPassword policy', () => {
  const refusal = (raw: string) => {
    const result = PlainPassword.create(raw);
    return result.ok ? undefined : result.error.message;
  };

  it('accepts 8+ characters with an upper-case letter and a digit', () => {
    expect(PlainPassword.create('Abcdefg1').ok).toBe(true);
  });

  it.each([
    ['Abcdef1', 'at least 8'],
    ['abcdefg1', 'upper-case'],
    ['Abcdefgh', 'digit'],
    ['Abcdefg1\0', 'NUL'],
    ['Abcdefg1\uD800', 'valid Unicode'],
  ])('refuses %p (%s)', (raw, why) => {
    expect(refusal(raw)).toContain(why);
  });

  it('refuses more than 72 bytes instead of letting bcrypt truncate it', () => {
    const exactly72 = `A1${'x'.repeat(70)}`;
    expect(PlainPassword.create(exactly72).ok).toBe(true);
    expect(refusal(`${exactly72}x`)).toContain(`at most ${MAX_PASSWORD_BYTES} bytes`);
    // 24 three-byte characters: 24 characters but 72 bytes, plus "A1" = 74 bytes.
    expect(refusal(`A1${'€'.repeat(24)}`)).toContain('bytes');
  });

  it('never shows its text when serialised or printed', () => {
    const password = Result.unwrap(PlainPassword.create('Secret-Pass-9'));
    expect(JSON.stringify({ password })).not.toContain('Secret');
    expect(String(password)).toBe('[REDACTED]');
    expect(password.reveal()).toBe('Secret-Pass-9');
  });
});

describe('UserId', () => {
  it('accepts a UUID (normalised to lower case) and refuses anything else', () => {
    expect(Result.unwrap(UserId.from('0B6C6A52-9F1E-4F43-9D0B-4B7F5E6A1C2D')).value).toBe('0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d');
    expect(UserId.from('42').ok).toBe(false);
    expect(UserId.from("1' OR '1'='1").ok).toBe(false);
  });

  it('generates distinct ids', () => {
    expect(UserId.generate().equals(UserId.generate())).toBe(false);
  });
});
