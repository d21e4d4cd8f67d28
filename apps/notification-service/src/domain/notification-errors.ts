import { DomainError } from '@platform/shared-kernel';

export class NotificationNotFoundError extends DomainError<'NOTIFICATION_NOT_FOUND'> {
  readonly code = 'NOTIFICATION_NOT_FOUND' as const;
  constructor(id: string) {
    super('Notification not found', { id });
  }
}

/** A user asked for notifications that are not theirs. */
export class NotificationAccessDeniedError extends DomainError<'FORBIDDEN'> {
  readonly code = 'FORBIDDEN' as const;
  constructor() {
    super('You may only read your own notifications');
  }
}
