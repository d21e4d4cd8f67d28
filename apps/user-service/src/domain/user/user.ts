import { AggregateRoot, domainEventMetadata } from '@platform/shared-kernel';
import type { Email } from './email';
import type { Role } from './role';
import type { ChangedUserField, UserDomainEvent } from './user.events';
import { UserId } from './user-id';
import type { UserName } from './user-name';

export interface UserProps {
  email: Email;
  name: UserName;
  role: Role;
  isActive: boolean;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RegisterUserProps {
  email: Email;
  name: UserName;
  passwordHash: string;
  role?: Role;
  id?: UserId;
  now?: Date;
}

/**
 * The user aggregate. Every change records a domain event; the repository stores the events (as outbox
 * rows) in the transaction that stores the user, and deletes the row of a deleted user.
 */
export class User extends AggregateRoot<UserProps, UserDomainEvent> {
  private deleted = false;

  private constructor(id: string, props: UserProps) {
    super(id, props);
  }

  /** A new, active user. Records UserCreated. */
  static register({ email, name, passwordHash, role = 'user', id = UserId.generate(), now = new Date() }: RegisterUserProps): User {
    const user = new User(id.value, { email, name, role, passwordHash, isActive: true, createdAt: now, updatedAt: now });
    user.record({ type: 'UserCreated', role }, now);
    return user;
  }

  /** A user read back from storage: no event. */
  static restore(id: string, props: UserProps): User {
    return new User(id, { ...props });
  }

  get email(): Email {
    return this.props.email;
  }

  get name(): UserName {
    return this.props.name;
  }

  get role(): Role {
    return this.props.role;
  }

  get isActive(): boolean {
    return this.props.isActive;
  }

  get passwordHash(): string {
    return this.props.passwordHash;
  }

  get createdAt(): Date {
    return this.props.createdAt;
  }

  get updatedAt(): Date {
    return this.props.updatedAt;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  /** Changes name and/or email; records UserUpdated when something actually changed. Returns whether it did. */
  update(changes: { name?: UserName; email?: Email }, now = new Date()): boolean {
    const changedFields: ChangedUserField[] = [];
    const previousEmail = this.props.email;
    if (changes.name && !changes.name.equals(this.props.name)) {
      this.props.name = changes.name;
      changedFields.push('name');
    }
    if (changes.email && !changes.email.equals(this.props.email)) {
      this.props.email = changes.email;
      changedFields.push('email');
    }
    if (changedFields.length === 0) return false;
    this.touch(now);
    this.record(
      { type: 'UserUpdated', changedFields, ...(changedFields.includes('email') ? { previousEmail: previousEmail.value } : {}) },
      now,
    );
    return true;
  }

  /** Records UserActivated unless the user is active already. Returns whether it changed. */
  activate(now = new Date()): boolean {
    return this.setActive(true, now);
  }

  /** Records UserDeactivated unless the user is inactive already. Returns whether it changed. */
  deactivate(now = new Date()): boolean {
    return this.setActive(false, now);
  }

  /** Marks the user for deletion (the repository removes it when saving). Records UserDeleted. */
  delete(now = new Date()): void {
    if (this.deleted) return;
    this.deleted = true;
    this.record({ type: 'UserDeleted' }, now);
  }

  private setActive(active: boolean, now: Date): boolean {
    if (this.props.isActive === active) return false;
    this.props.isActive = active;
    this.touch(now);
    this.record({ type: active ? 'UserActivated' : 'UserDeactivated' }, now);
    return true;
  }

  private touch(now: Date): void {
    this.props.updatedAt = now;
  }

  private record(
    event:
      | { type: 'UserCreated'; role: Role }
      | { type: 'UserUpdated'; changedFields: ChangedUserField[]; previousEmail?: string }
      | { type: 'UserActivated' | 'UserDeactivated' | 'UserDeleted' },
    now: Date,
  ): void {
    this.addDomainEvent({
      ...domainEventMetadata(this.id, now),
      email: this.props.email.value,
      name: this.props.name.value,
      ...event,
    } as UserDomainEvent);
  }
}
