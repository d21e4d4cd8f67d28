import { Result, ValidationError } from '@platform/shared-kernel';
import { TextValue } from './text-value';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user's identity: a UUID, chosen by the service (never by the caller). */
export class UserId extends TextValue {
  static generate(): UserId {
    return new UserId(globalThis.crypto.randomUUID());
  }

  static from(value: string): Result<UserId, ValidationError> {
    return UUID.test(value) ? Result.ok(new UserId(value.toLowerCase())) : Result.fail(new ValidationError('id', 'id must be a UUID'));
  }
}
