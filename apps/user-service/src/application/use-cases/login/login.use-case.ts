import { Result } from '@platform/shared-kernel';
import type { PasswordHasher } from '../../../domain/auth/password-hasher';
import type { AccessToken, TokenIssuer } from '../../../domain/auth/token-issuer';
import { Email } from '../../../domain/user/email';
import { PlainPassword } from '../../../domain/user/plain-password';
import { InvalidCredentialsError, UserInactiveError } from '../../../domain/user/user.errors';
import type { UserRepository } from '../../../domain/user/user.repository';

export interface LoginInput {
  email: string;
  password: string;
}

export type LoginError = InvalidCredentialsError | UserInactiveError;

/**
 * Exchanges email and password for an access token. An unknown email and a wrong password get the same
 * error after the same work (one bcrypt comparison), so the answer tells nothing about which accounts exist.
 */
export class LoginUseCase {
  constructor(private readonly deps: { users: UserRepository; passwords: PasswordHasher; tokens: TokenIssuer }) {}

  async execute(input: LoginInput): Promise<Result<AccessToken, LoginError>> {
    const email = Email.create(input.email);
    const user = email.ok ? await this.deps.users.findByEmail(email.value) : null;

    // Always compare (against a dummy hash when there is no such user): same time either way.
    const passwordMatches = await this.deps.passwords.verify(input.password, user?.passwordHash ?? null);
    // bcrypt only sees the first 72 bytes; a longer candidate is never the password, even if its prefix is.
    const credentialsValid = user !== null && passwordMatches && PlainPassword.fitsHashLimit(input.password);

    if (!credentialsValid) return Result.fail(new InvalidCredentialsError());
    if (!user.isActive) return Result.fail(new UserInactiveError());
    return Result.ok(await this.deps.tokens.issue({ userId: user.id, role: user.role }));
  }
}
