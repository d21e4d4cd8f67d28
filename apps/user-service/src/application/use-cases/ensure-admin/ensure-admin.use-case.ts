import { Result, type ValidationError } from '@platform/shared-kernel';
import { Email } from '../../../domain/user/email';
import type { UserRepository } from '../../../domain/user/user.repository';
import type { RegisterUserInput, RegisterUserUseCase } from '../register-user/register-user.use-case';

/** `created` now; `exists` already (an earlier start, or another replica); `taken` by a non-admin user. */
export type EnsureAdminOutcome = 'created' | 'exists' | 'taken';

/**
 * Start-up bootstrap: makes sure an admin with the configured email exists. Idempotent, and safe when two
 * replicas start at once: the unique email index lets exactly one insert through, the other finds it.
 * A non-admin who already owns the email is NOT promoted (whoever signed up first must not become admin).
 */
export class EnsureAdminUseCase {
  constructor(private readonly deps: { users: UserRepository; registration: RegisterUserUseCase }) {}

  async execute(input: RegisterUserInput): Promise<Result<EnsureAdminOutcome, ValidationError>> {
    const registered = await this.deps.registration.register(input, 'admin');
    if (registered.ok) return Result.ok('created');
    if (registered.error.code !== 'EMAIL_ALREADY_EXISTS') return Result.fail(registered.error);

    const existing = await this.deps.users.findByEmail(Result.unwrap(Email.create(input.email)));
    return Result.ok(existing?.role === 'admin' ? 'exists' : 'taken');
  }
}
