import { canonicalEmail } from '@platform/event-contracts';
import { Guard, Result, ValidationError } from '@platform/shared-kernel';
import { TextValue } from './text-value';

/**
 * The same pattern zod 4's `z.email()` uses, which the event contracts validate with: an address this class
 * accepts must never make an integration event invalid.
 */
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** An email address in its canonical spelling (trimmed, lower-cased: the gateway keys login limits by the same), so one mailbox is one user. */
export class Email extends TextValue {
  /** A value read back from storage: valid when written, not checked again (the rules may have tightened since). */
  static restore(value: string): Email {
    return new Email(value);
  }

  static create(raw: string): Result<Email, ValidationError> {
    const value = canonicalEmail(raw);
    const valid = Guard.combine([
      Guard.againstEmpty(value, 'email'),
      Guard.lengthBetween(value, 3, 254, 'email'),
      Guard.matches(value, EMAIL, 'email', 'must be a valid email address'),
    ]);
    return valid.ok ? Result.ok(new Email(value)) : valid;
  }
}
