import { Result } from '@platform/shared-kernel';
import type { SaveUserError } from '../../../domain/user/user.repository';
import type { ForbiddenError } from '../../authorization';
import type { UserChanges, UserCommand } from '../../user-changes';

export type DeleteUserError = ForbiddenError | SaveUserError;

/** Removes a user for good (themself, or anyone for an admin); UserDeleted tells the other services. */
export class DeleteUserUseCase {
  constructor(private readonly deps: { changes: UserChanges }) {}

  async execute(command: UserCommand): Promise<Result<void, DeleteUserError>> {
    const deleted = await this.deps.changes.apply(command, 'self-or-admin', (user) => user.delete());
    return deleted.ok ? Result.ok() : deleted;
  }
}
