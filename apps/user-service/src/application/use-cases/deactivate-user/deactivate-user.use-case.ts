import type { Result } from '@platform/shared-kernel';
import type { SaveUserError } from '../../../domain/user/user.repository';
import type { ForbiddenError } from '../../authorization';
import type { UserChanges, UserCommand } from '../../user-changes';
import type { UserView } from '../../user-view';

export type DeactivateUserError = ForbiddenError | SaveUserError;

/** An admin stops a user from logging in (tokens already issued run out within their short lifetime). */
export class DeactivateUserUseCase {
  constructor(private readonly deps: { changes: UserChanges }) {}

  execute(command: UserCommand): Promise<Result<UserView, DeactivateUserError>> {
    return this.deps.changes.apply(command, 'admin', (user) => user.deactivate());
  }
}
