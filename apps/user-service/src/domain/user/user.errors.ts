import { DomainError } from '@platform/shared-kernel';

/** A DomainError class with a fixed, stable code and message. */
function domainError<Code extends string>(code: Code, message: string) {
  return class extends DomainError<Code> {
    readonly code = code;

    constructor() {
      super(message);
    }
  };
}

export class UserNotFoundError extends domainError('USER_NOT_FOUND', 'User not found') {}

export class EmailAlreadyExistsError extends domainError('EMAIL_ALREADY_EXISTS', 'A user with this email already exists') {}

/** The same answer for an unknown email and a wrong password, so neither can be told from the other. */
export class InvalidCredentialsError extends domainError('INVALID_CREDENTIALS', 'Email or password is incorrect') {}

/** Only given after the password matched, so it tells nothing to someone who does not know it. */
export class UserInactiveError extends domainError('USER_INACTIVE', 'This account is deactivated') {}
