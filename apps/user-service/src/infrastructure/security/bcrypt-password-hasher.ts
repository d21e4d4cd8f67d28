import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../../domain/auth/password-hasher';
import type { PlainPassword } from '../../domain/user/plain-password';

/** bcrypt, async only (the hash runs on libuv's thread pool, never on the event loop). */
export class BcryptPasswordHasher implements PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(private readonly cost: number) {}

  hash(password: PlainPassword): Promise<string> {
    return bcrypt.hash(password.reveal(), this.cost);
  }

  async verify(candidate: string, hash: string | null): Promise<boolean> {
    if (hash !== null) return bcrypt.compare(candidate, hash);
    // Unknown user: the same work as for a known one (a hash of the same cost), then no.
    await bcrypt.compare(candidate, await this.dummy());
    return false;
  }

  /** Computes the dummy hash now, so that the first unknown-email login is not slower than the others. */
  async warmUp(): Promise<void> {
    await this.dummy();
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= bcrypt.hash(randomBytes(16).toString('hex'), this.cost);
    return this.dummyHash;
  }
}
