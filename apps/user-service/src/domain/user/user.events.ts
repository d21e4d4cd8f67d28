import type { DomainEvent } from '@platform/shared-kernel';
import type { Role } from './role';

/** What a user looked like when the event happened (never the password hash). */
interface UserFacts {
  readonly email: string;
  readonly name: string;
}

export interface UserCreated extends DomainEvent, UserFacts {
  readonly type: 'UserCreated';
  readonly role: Role;
}

export type ChangedUserField = 'name' | 'email';

export interface UserUpdated extends DomainEvent, UserFacts {
  readonly type: 'UserUpdated';
  readonly changedFields: readonly ChangedUserField[];
  /** Set exactly when the email changed. */
  readonly previousEmail?: string;
}

export interface UserActivated extends DomainEvent, UserFacts {
  readonly type: 'UserActivated';
}

export interface UserDeactivated extends DomainEvent, UserFacts {
  readonly type: 'UserDeactivated';
}

export interface UserDeleted extends DomainEvent, UserFacts {
  readonly type: 'UserDeleted';
}

export type UserDomainEvent = UserCreated | UserUpdated | UserActivated | UserDeactivated | UserDeleted;
