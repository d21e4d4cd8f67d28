import { Result } from '@platform/shared-kernel';
import { type Notification, NotificationNotFoundError } from '../../../domain';
import type { NotificationRepository, Requester } from '../../ports';

export class GetNotificationUseCase {
  constructor(private readonly deps: { repository: NotificationRepository }) {}

  /** Someone else's notification is "not found" for a user: its existence is not theirs to learn. */
  async execute(input: { requester: Requester; id: string }): Promise<Result<Notification, NotificationNotFoundError>> {
    const notification = await this.deps.repository.findById(input.id);
    const visible = notification !== undefined && (input.requester.role === 'admin' || notification.belongsTo(input.requester.userId));
    return visible ? Result.ok(notification) : Result.fail(new NotificationNotFoundError(input.id));
  }
}
