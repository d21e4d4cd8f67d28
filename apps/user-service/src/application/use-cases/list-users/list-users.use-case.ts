import { Result, ValidationError } from '@platform/shared-kernel';
import type { UserRepository } from '../../../domain/user/user.repository';
import { type Actor, authorize, type ForbiddenError } from '../../authorization';
import { toUserView, type UserView } from '../../user-view';

export const MAX_PAGE_SIZE = 100;

export interface ListUsersInput {
  actor: Actor;
  /** 1-based. */
  page: number;
  /** 1–100. */
  limit: number;
  isActive?: boolean;
}

export interface UserPage {
  items: UserView[];
  page: number;
  limit: number;
  total: number;
}

export type ListUsersError = ForbiddenError | ValidationError;

/** A page of users, oldest first, for admins. */
export class ListUsersUseCase {
  constructor(private readonly deps: { users: UserRepository }) {}

  async execute({ actor, page, limit, isActive }: ListUsersInput): Promise<Result<UserPage, ListUsersError>> {
    const allowed = authorize(actor, 'admin');
    if (!allowed.ok) return allowed;
    if (!Number.isSafeInteger(page) || page < 1) {
      return Result.fail(new ValidationError('page', 'page must be a whole number from 1'));
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      return Result.fail(new ValidationError('limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`));
    }

    const { items, total } = await this.deps.users.list({ offset: (page - 1) * limit, limit, isActive });
    return Result.ok({ items: items.map(toUserView), page, limit, total });
  }
}
