import type { Result } from '@platform/shared-kernel';
import type { SaveUserError } from '../../../domain/user/user.repository';
import type { ForbiddenError } from '../../authorization';
import type { UserChanges, UserCommand } from '../../user-changes';
import type { UserView } from '../../user-view';

export type ActivateUserError = ForbiddenError | SaveUserError;

/** An admin lets a deactivated user log in again. Activating an active user changes nothing. */
export class ActivateUserUseCase {
  constructor(private readonly deps: { changes: UserChanges }) {}

  execute(command: UserCommand): Promise<Result<UserView, ActivateUserError>> {
    return this.deps.changes.apply(command, 'admin', (user) => user.activate());
  }
}
