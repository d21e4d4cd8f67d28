import type { Result } from '@platform/shared-kernel';
import type { Email } from './email';
import type { User } from './user';
import type { EmailAlreadyExistsError, UserNotFoundError } from './user.errors';
import type { UserId } from './user-id';

export interface UserListQuery {
  /** Rows to skip. */
  offset: number;
  limit: number;
  /** Only active (true) or inactive (false) users; all when undefined. */
  isActive?: boolean;
}

export interface UserListPage {
  items: User[];
  /** How many users match the filter, over all pages. */
  total: number;
}

/** Who asked for a change; it travels with the integration events the change produces. */
export interface ChangeContext {
  correlationId: string;
}

/** Why a save stored nothing: the email belongs to another user, or the user to change was deleted meanwhile. */
export type SaveUserError = EmailAlreadyExistsError | UserNotFoundError;

export interface UserRepository {
  findById(id: UserId): Promise<User | null>;
  findByEmail(email: Email): Promise<User | null>;
  /** Oldest first (created_at, then id): a stable order for paging. */
  list(query: UserListQuery): Promise<UserListPage>;
  /**
   * The unit of work: inserts a new user, updates a changed one or removes a deleted one, AND stores the
   * events pulled from it in the outbox, in ONE transaction. Fails (storing nothing) when the email belongs
   * to another user, or when the user to change no longer exists.
   */
  save(user: User, context: ChangeContext): Promise<Result<void, SaveUserError>>;
}
