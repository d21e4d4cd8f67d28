import type { UserView } from '../user-view';

/**
 * Cache-aside store of user views. Best effort by contract: an implementation never throws (an unreachable
 * cache reads as a miss and writes are dropped), so a cache outage only costs database reads.
 */
export interface UserCache {
  get(userId: string): Promise<UserView | undefined>;
  set(user: UserView): Promise<void>;
  invalidate(userId: string): Promise<void>;
}
