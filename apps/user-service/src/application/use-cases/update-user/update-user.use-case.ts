import { Result, type ValidationError } from '@platform/shared-kernel';
import { Email } from '../../../domain/user/email';
import type { User } from '../../../domain/user/user';
import { EmailAlreadyExistsError } from '../../../domain/user/user.errors';
import { UserName } from '../../../domain/user/user-name';
import type { SaveUserError, UserRepository } from '../../../domain/user/user.repository';
import type { ForbiddenError } from '../../authorization';
import type { UserChanges, UserCommand } from '../../user-changes';
import type { UserView } from '../../user-view';

export interface UpdateUserInput extends UserCommand {
  changes: { name?: string; email?: string };
}

export type UpdateUserError = ForbiddenError | ValidationError | SaveUserError;

/** Changes a user's name and/or email (themself, or anyone for an admin). An email another user has is a conflict. */
export class UpdateUserUseCase {
  constructor(private readonly deps: { users: UserRepository; changes: UserChanges }) {}

  execute(input: UpdateUserInput): Promise<Result<UserView, UpdateUserError>> {
    return this.deps.changes.apply(input, 'self-or-admin', (user) => this.change(user, input.changes));
  }

  private async change(user: User, changes: UpdateUserInput['changes']): Promise<Result<void, ValidationError | EmailAlreadyExistsError>> {
    const fields = Result.combine([
      changes.name === undefined ? Result.ok(undefined) : UserName.create(changes.name),
      changes.email === undefined ? Result.ok(undefined) : Email.create(changes.email),
    ]);
    if (!fields.ok) return fields;
    const [name, email] = fields.value;

    // Cheap early answer; the unique index still decides when two changes race for one email.
    if (email && !email.equals(user.email) && (await this.deps.users.findByEmail(email))) {
      return Result.fail(new EmailAlreadyExistsError());
    }
    user.update({ name, email });
    return Result.ok();
  }
}
