import { canonicalEmail, EMAIL_MAX_LENGTH, EMAIL_PATTERN } from '@platform/event-contracts';
import { Guard, Result, ValidationError } from '@platform/shared-kernel';
import { TextValue } from './text-value';

/**
 * An email address in its canonical spelling (trimmed, lower-cased), so that one mailbox is one user. The
 * pattern and the RFC 5321 length limits are the event contracts' own: an address this class accepts never
 * makes an integration event invalid.
 */
export class Email extends TextValue {
  /** A value read back from storage: valid when written, not checked again (the rules may have tightened since). */
  static restore(value: string): Email {
    return new Email(value);
  }

  static create(raw: string): Result<Email, ValidationError> {
    const value = canonicalEmail(raw);
    const valid = Guard.combine([
      Guard.againstEmpty(value, 'email'),
      Guard.lengthBetween(value, 3, EMAIL_MAX_LENGTH, 'email'),
      Guard.matches(value, EMAIL_PATTERN, 'email', 'must be a valid email address (at most 64 characters before the @)'),
    ]);
    return valid.ok ? Result.ok(new Email(value)) : valid;
  }
}
