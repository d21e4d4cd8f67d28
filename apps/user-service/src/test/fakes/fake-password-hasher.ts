import type { PasswordHasher } from '../../domain/auth/password-hasher';
import type { PlainPassword } from '../../domain/user/plain-password';

/** A transparent "hash" (no bcrypt in unit tests) that counts comparisons, dummy ones included. */
export class FakePasswordHasher implements PasswordHasher {
  comparisons = 0;
  dummyComparisons = 0;

  async hash(password: PlainPassword): Promise<string> {
    return `fake-hash(${password.reveal()})`;
  }

  async verify(candidate: string, hash: string | null): Promise<boolean> {
    this.comparisons++;
    if (hash === null) {
      this.dummyComparisons++;
      return false;
    }
    // Like bcrypt, only the first 72 bytes count.
    const truncated = Buffer.from(candidate).subarray(0, 72).toString();
    return hash === `fake-hash(${truncated})`;
  }
}
