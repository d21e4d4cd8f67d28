import type { UserCache } from '../../application/ports/user-cache';
import type { UserView } from '../../application/user-view';

export class InMemoryUserCache implements UserCache {
  readonly entries = new Map<string, UserView>();
  hits = 0;

  async get(userId: string): Promise<UserView | undefined> {
    const user = this.entries.get(userId);
    if (user) this.hits++;
    return user;
  }

  async set(user: UserView): Promise<void> {
    this.entries.set(user.id, user);
  }

  async invalidate(userId: string): Promise<void> {
    this.entries.delete(userId);
  }
}
