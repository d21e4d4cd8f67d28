import { Result } from '@platform/shared-kernel';
import type { User } from '../domain/user/user';
import { UserNotFoundError } from '../domain/user/user.errors';
import type { SaveUserError, UserRepository } from '../domain/user/user.repository';
import { type Actor, authorizeTarget, type ForbiddenError, type Permission } from './authorization';
import type { UserCache } from './ports/user-cache';
import { toUserView, type UserView } from './user-view';

/** An actor's request to change one user. */
export interface UserCommand {
  actor: Actor;
  userId: string;
  /** The request id: it becomes the correlation id of the integration events. */
  correlationId: string;
}

/** What a change of `change` may refuse, or the load and save around it. */
type ChangeOutcome<E> = Result<unknown, E> | boolean | void;

/** The story every changing use case shares: load a user the actor may change, change it, commit. */
export class UserChanges {
  constructor(private readonly deps: { users: UserRepository; cache: UserCache }) {}

  /**
   * Checks the actor's permission, loads the user, applies `change` (which may refuse with an error), then
   * saves the user with its events in one transaction and drops its cached copy.
   */
  async apply<E = never>(
    { actor, userId, correlationId }: UserCommand,
    permission: Permission,
    change: (user: User) => ChangeOutcome<E> | Promise<ChangeOutcome<E>>,
  ): Promise<Result<UserView, ForbiddenError | SaveUserError | E>> {
    const target = authorizeTarget(actor, permission, userId);
    if (!target.ok) return target;
    const user = await this.deps.users.findById(target.value);
    if (!user) return Result.fail(new UserNotFoundError());

    const outcome = await change(user);
    if (typeof outcome === 'object' && !outcome.ok) return outcome;

    const saved = await this.deps.users.save(user, { correlationId });
    if (!saved.ok) return saved;
    await this.deps.cache.invalidate(user.id);
    return Result.ok(toUserView(user));
  }
}
