import { hasBidiControls, USER_NAME_MAX_LENGTH } from '@platform/event-contracts';
import { Guard, Result, ValidationError } from '@platform/shared-kernel';
import { TextValue } from './text-value';

const MIN = 2;
const MAX = USER_NAME_MAX_LENGTH;

/** Control characters (NUL included) and lone UTF-16 surrogates: no name has them, and storage refuses them. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** A display name: 2–100 characters once trimmed, printable, without bidirectional controls (the event contracts' rules). */
export class UserName extends TextValue {
  /** A value read back from storage: valid when written, not checked again (the rules may have tightened since). */
  static restore(value: string): UserName {
    return new UserName(value);
  }

  static create(raw: string): Result<UserName, ValidationError> {
    const value = raw.trim();
    const valid = Guard.lengthBetween(value, MIN, MAX, 'name');
    if (!valid.ok) return valid;
    // Characters outside the BMP count twice in UTF-16, which is what the event contracts measure.
    if (value.length > MAX) return Result.fail(new ValidationError('name', `name must be between ${MIN} and ${MAX} characters long`));
    if (UNPRINTABLE.test(value))
      return Result.fail(new ValidationError('name', 'name must not contain control characters or broken Unicode'));
    if (hasBidiControls(value)) return Result.fail(new ValidationError('name', 'name must not contain bidirectional control characters'));
    return Result.ok(new UserName(value));
  }
}
