import { DomainError, Result } from '@platform/shared-kernel';
import type { Role } from '../domain/user/role';
import { UserNotFoundError } from '../domain/user/user.errors';
import { UserId } from '../domain/user/user-id';

/** The authenticated caller of a use case. */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
}

export class ForbiddenError extends DomainError<'FORBIDDEN'> {
  readonly code = 'FORBIDDEN' as const;

  constructor(message = 'You may not do this') {
    super(message);
  }
}

/**
 * Who may do what: `self-or-admin` lets users act on themselves and admins on anyone; `admin` is for
 * admins only (listing users, activating and deactivating them).
 */
export type Permission = 'self-or-admin' | 'admin';

export function authorize(actor: Actor, permission: Permission, targetUserId?: string): Result<void, ForbiddenError> {
  if (actor.role === 'admin') return Result.ok();
  if (permission === 'self-or-admin' && targetUserId !== undefined && actor.userId === targetUserId) return Result.ok();
  return Result.fail(new ForbiddenError(permission === 'admin' ? 'Only an admin may do this' : 'You may only act on your own account'));
}

/** The id of the user the actor wants to act on, if the actor may. A malformed id is a user that does not exist. */
export function authorizeTarget(actor: Actor, permission: Permission, userId: string): Result<UserId, ForbiddenError | UserNotFoundError> {
  const id = UserId.from(userId);
  const allowed = authorize(actor, permission, id.ok ? id.value.value : userId);
  if (!allowed.ok) return allowed;
  return id.ok ? id : Result.fail(new UserNotFoundError());
}
