import { Result } from '@platform/shared-kernel';
import { UserNotFoundError } from '../../../domain/user/user.errors';
import type { UserRepository } from '../../../domain/user/user.repository';
import { type Actor, authorizeTarget, type ForbiddenError } from '../../authorization';
import type { UserCache } from '../../ports/user-cache';
import { toUserView, type UserView } from '../../user-view';

export interface GetUserInput {
  actor: Actor;
  userId: string;
}

export type GetUserError = ForbiddenError | UserNotFoundError;

/** One user, for themself or an admin. Cache-aside: the cache first, the database on a miss. */
export class GetUserUseCase {
  constructor(private readonly deps: { users: UserRepository; cache: UserCache }) {}

  async execute({ actor, userId }: GetUserInput): Promise<Result<UserView, GetUserError>> {
    const target = authorizeTarget(actor, 'self-or-admin', userId);
    if (!target.ok) return target;

    const cached = await this.deps.cache.get(target.value.value);
    if (cached) return Result.ok(cached);

    const user = await this.deps.users.findById(target.value);
    if (!user) return Result.fail(new UserNotFoundError());
    const view = toUserView(user);
    await this.deps.cache.set(view);
    return Result.ok(view);
  }
}
