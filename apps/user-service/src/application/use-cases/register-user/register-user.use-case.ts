import { Result, type ValidationError } from '@platform/shared-kernel';
import type { PasswordHasher } from '../../../domain/auth/password-hasher';
import { Email } from '../../../domain/user/email';
import { PlainPassword } from '../../../domain/user/plain-password';
import type { Role } from '../../../domain/user/role';
import { User } from '../../../domain/user/user';
import { EmailAlreadyExistsError } from '../../../domain/user/user.errors';
import { UserName } from '../../../domain/user/user-name';
import type { UserRepository } from '../../../domain/user/user.repository';
import { toUserView, type UserView } from '../../user-view';

export interface RegisterUserInput {
  email: string;
  name: string;
  password: string;
  correlationId: string;
}

export type RegisterUserError = ValidationError | EmailAlreadyExistsError;

/** Public sign-up: a new active user with the `user` role. */
export class RegisterUserUseCase {
  constructor(private readonly deps: { users: UserRepository; passwords: PasswordHasher }) {}

  execute(input: RegisterUserInput): Promise<Result<UserView, RegisterUserError>> {
    return this.register(input, 'user');
  }

  /** Sign-up with a given role: `user` for the public, `admin` only for the admin bootstrap. */
  async register(input: RegisterUserInput, role: Role): Promise<Result<UserView, RegisterUserError>> {
    const fields = Result.combine([Email.create(input.email), UserName.create(input.name), PlainPassword.create(input.password)]);
    if (!fields.ok) return fields;
    const [email, name, password] = fields.value;

    // Cheap early answer; the unique index still decides when two sign-ups race.
    if (await this.deps.users.findByEmail(email)) return Result.fail(new EmailAlreadyExistsError());

    const user = User.register({ email, name, role, passwordHash: await this.deps.passwords.hash(password) });
    const saved = await this.deps.users.save(user, { correlationId: input.correlationId });
    // A new user can only clash on its email: someone signed up with it since the check above.
    if (!saved.ok) return Result.fail(new EmailAlreadyExistsError());
    return Result.ok(toUserView(user));
  }
}
