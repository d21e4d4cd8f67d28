import { Guard, Result, ValidationError } from '@platform/shared-kernel';

/** bcrypt ignores every byte after the 72nd: a longer password would be silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
const MIN_LENGTH = 8;

const bytesOf = (text: string): number => new TextEncoder().encode(text).length;

/**
 * A password that satisfies the policy: at least 8 characters, an upper-case letter, a digit, at most 72
 * bytes in UTF-8 (refused, never truncated) and no NUL character. Exists only between the request and the
 * hasher: it serialises (JSON, logs) as `[REDACTED]` and keeps its text under a key loggers redact.
 */
export class PlainPassword {
  private constructor(private readonly password: string) {}

  static create(raw: string): Result<PlainPassword, ValidationError> {
    const valid = Guard.combine([
      [...raw].length >= MIN_LENGTH
        ? Result.ok()
        : Result.fail(new ValidationError('password', `password must be at least ${MIN_LENGTH} characters long`)),
      Guard.matches(raw, /\p{Lu}/u, 'password', 'must contain an upper-case letter'),
      Guard.matches(raw, /\p{Nd}/u, 'password', 'must contain a digit'),
      Guard.matches(raw, /^[^\0]*$/, 'password', 'must not contain NUL characters'),
      // A lone surrogate becomes U+FFFD in UTF-8: different passwords would hash the same.
      Guard.matches(raw, /^\P{Cs}*$/u, 'password', 'must be valid Unicode'),
    ]);
    if (!valid.ok) return valid;
    if (!PlainPassword.fitsHashLimit(raw)) {
      return Result.fail(new ValidationError('password', `password must be at most ${MAX_PASSWORD_BYTES} bytes long`));
    }
    return Result.ok(new PlainPassword(raw));
  }

  /** Whether bcrypt sees the whole of `candidate`; a longer one can never be a user's password. */
  static fitsHashLimit(candidate: string): boolean {
    return bytesOf(candidate) <= MAX_PASSWORD_BYTES;
  }

  /** The secret itself, for the password hasher only. */
  reveal(): string {
    return this.password;
  }

  toJSON(): string {
    return '[REDACTED]';
  }

  toString(): string {
    return '[REDACTED]';
  }
}
