import { Result } from '@platform/shared-kernel';
import { NotificationAccessDeniedError, type Notification } from '../../../domain';
import type { NotificationRepository, Requester } from '../../ports';

export interface ListNotificationsInput {
  readonly requester: Requester;
  /** Whose notifications; a user may name only themselves (default), an admin anyone or nobody (all). */
  readonly userId?: string;
  readonly page: number;
  readonly limit: number;
}

export interface NotificationList {
  readonly items: readonly Notification[];
  readonly page: number;
  readonly limit: number;
  readonly total: number;
}

export class ListNotificationsUseCase {
  constructor(private readonly deps: { repository: NotificationRepository }) {}

  async execute(input: ListNotificationsInput): Promise<Result<NotificationList, NotificationAccessDeniedError>> {
    const { requester, page, limit } = input;
    const isAdmin = requester.role === 'admin';
    if (!isAdmin && input.userId !== undefined && input.userId !== requester.userId) {
      return Result.fail(new NotificationAccessDeniedError());
    }
    const userId = isAdmin ? input.userId : requester.userId;
    const { items, total } = await this.deps.repository.list({ userId, offset: (page - 1) * limit, limit });
    return Result.ok({ items, page, limit, total });
  }
}
