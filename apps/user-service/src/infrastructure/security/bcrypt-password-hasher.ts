import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { Bulkhead } from '@platform/resilience';
import type { PasswordHasher } from '../../domain/auth/password-hasher';
import type { PlainPassword } from '../../domain/user/plain-password';

export interface BcryptLimits {
  /** Hashes computed at once. */
  maxConcurrent: number;
  /** Hashes waiting for a slot; beyond that BulkheadFullError at once (answered 429 SERVICE_BUSY). */
  maxQueued: number;
}

/**
 * bcrypt, async only (the hash runs on libuv's thread pool, never on the event loop), and bounded: a flood
 * of logins or sign-ups is shed at once instead of queueing for seconds behind the CPU.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private dummyHash?: Promise<string>;
  private readonly work: Bulkhead;

  constructor(
    private readonly cost: number,
    limits: BcryptLimits,
  ) {
    this.work = new Bulkhead({ name: 'bcrypt', ...limits });
  }

  hash(password: PlainPassword): Promise<string> {
    return this.work.run(() => bcrypt.hash(password.reveal(), this.cost));
  }

  async verify(candidate: string, hash: string | null): Promise<boolean> {
    if (hash !== null) return this.work.run(() => bcrypt.compare(candidate, hash));
    // Unknown user: the same work as for a known one (a hash of the same cost), then no.
    const dummy = await this.dummy();
    await this.work.run(() => bcrypt.compare(candidate, dummy));
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
