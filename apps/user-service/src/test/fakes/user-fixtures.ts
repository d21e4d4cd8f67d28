import { Result } from '@platform/shared-kernel';
import { FakePasswordHasher } from './fake-password-hasher';
import { FakeTokenIssuer } from './fake-token-issuer';
import { InMemoryUserCache } from './in-memory-user-cache';
import { InMemoryUserRepository } from './in-memory-user-repository';
import type { Actor } from '../../application/authorization';
import { UserChanges } from '../../application/user-changes';
import { Email } from '../../domain/user/email';
import { PlainPassword } from '../../domain/user/plain-password';
import type { Role } from '../../domain/user/role';
import { User } from '../../domain/user/user';
import { UserName } from '../../domain/user/user-name';

export const PASSWORD = 'Correct-Horse-1';

let sequence = 0;

/** A stored-looking user (its creation event already pulled). */
export async function aUser(
  options: { email?: string; name?: string; password?: string; role?: Role; active?: boolean; createdAt?: Date } = {},
): Promise<User> {
  sequence++;
  const user = User.register({
    email: Result.unwrap(Email.create(options.email ?? `user${sequence}@example.com`)),
    name: Result.unwrap(UserName.create(options.name ?? `User ${sequence}`)),
    passwordHash: await new FakePasswordHasher().hash(Result.unwrap(PlainPassword.create(options.password ?? PASSWORD))),
    role: options.role,
    now: options.createdAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)),
  });
  if (options.active === false) user.deactivate();
  user.pullDomainEvents();
  return user;
}

export const actorFor = (user: User): Actor => ({ userId: user.id, role: user.role });

/** In-memory ports for the use cases, and the changes helper built on them. */
export function fakePorts() {
  const users = new InMemoryUserRepository();
  const cache = new InMemoryUserCache();
  const passwords = new FakePasswordHasher();
  const tokens = new FakeTokenIssuer();
  return { users, cache, passwords, tokens, changes: new UserChanges({ users, cache }) };
}

/** The ports with three stored users: Ada and Bob (role user) and an admin. */
export async function portsWithUsers() {
  const ports = fakePorts();
  const ada = await aUser({ email: `ada-${sequence}@example.com` });
  const bob = await aUser({ email: `bob-${sequence}@example.com` });
  const admin = await aUser({ role: 'admin' });
  ports.users.seed(ada, bob, admin);
  return { ...ports, ada, bob, admin };
}
