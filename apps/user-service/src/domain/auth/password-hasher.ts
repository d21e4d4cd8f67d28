import type { PlainPassword } from '../user/plain-password';

export interface PasswordHasher {
  hash(password: PlainPassword): Promise<string>;
  /**
   * Whether `candidate` is the password behind `hash`. With `hash` null (no such user) it still spends the
   * time of one comparison, against a dummy hash, and answers false: unknown emails cannot be timed apart.
   */
  verify(candidate: string, hash: string | null): Promise<boolean>;
}
