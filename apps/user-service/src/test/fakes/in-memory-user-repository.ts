import { Result } from '@platform/shared-kernel';
import { type OutboxMessage, toOutboxMessages } from '../../application/events/integration-events';
import type { Email } from '../../domain/user/email';
import { User, type UserProps } from '../../domain/user/user';
import { EmailAlreadyExistsError, UserNotFoundError } from '../../domain/user/user.errors';
import type { UserId } from '../../domain/user/user-id';
import type { ChangeContext, SaveUserError, UserListPage, UserListQuery, UserRepository } from '../../domain/user/user.repository';

/** UserRepository in memory, with the real one's rules: unique email, events stored as outbox rows. */
export class InMemoryUserRepository implements UserRepository {
  /** Every outbox row saved, in order. */
  readonly outbox: OutboxMessage[] = [];
  private readonly rows = new Map<string, UserProps>();

  /** Stores users as they are (no event), e.g. to set up a test. */
  seed(...users: User[]): this {
    for (const user of users) {
      user.pullDomainEvents();
      this.rows.set(user.id, snapshot(user));
    }
    return this;
  }

  async findById(id: UserId): Promise<User | null> {
    return this.restore(id.value);
  }

  async findByEmail(email: Email): Promise<User | null> {
    const entry = [...this.rows].find(([, props]) => props.email.equals(email));
    return entry ? this.restore(entry[0]) : null;
  }

  async list({ offset, limit, isActive }: UserListQuery): Promise<UserListPage> {
    const matching = [...this.rows]
      .filter(([, props]) => isActive === undefined || props.isActive === isActive)
      .sort(([idA, a], [idB, b]) => a.createdAt.getTime() - b.createdAt.getTime() || idA.localeCompare(idB));
    return { items: matching.slice(offset, offset + limit).map(([id]) => this.restore(id) as User), total: matching.length };
  }

  async save(user: User, { correlationId }: ChangeContext): Promise<Result<void, SaveUserError>> {
    const events = user.pullDomainEvents();
    if (events.length === 0) return Result.ok();
    const isNew = events[0].type === 'UserCreated';
    if (!isNew && !this.rows.has(user.id)) return Result.fail(new UserNotFoundError());
    const owner = [...this.rows].find(([id, props]) => id !== user.id && props.email.equals(user.email));
    if (owner && !user.isDeleted) return Result.fail(new EmailAlreadyExistsError());

    if (user.isDeleted) this.rows.delete(user.id);
    else this.rows.set(user.id, snapshot(user));
    this.outbox.push(...toOutboxMessages(events, correlationId));
    return Result.ok();
  }

  get size(): number {
    return this.rows.size;
  }

  private restore(id: string): User | null {
    const props = this.rows.get(id);
    return props ? User.restore(id, props) : null;
  }
}

function snapshot(user: User): UserProps {
  const { email, name, role, isActive, passwordHash, createdAt, updatedAt } = user;
  return { email, name, role, isActive, passwordHash, createdAt, updatedAt };
}
