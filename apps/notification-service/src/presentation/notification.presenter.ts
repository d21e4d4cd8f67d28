import type { NotificationList } from '../application';
import type { Notification } from '../domain';
import type { NotificationDto, NotificationListDto } from './notifications.schemas';

/** What the API shows of a notification: no bodies, no delivery errors (they may quote mail servers). */
export function presentNotification(notification: Notification): NotificationDto {
  return {
    id: notification.id,
    userId: notification.userId,
    eventId: notification.eventId,
    type: notification.kind,
    recipient: notification.recipient,
    subject: notification.content.subject,
    status: notification.status,
    attempts: notification.attempts,
    createdAt: notification.createdAt.toISOString(),
    sentAt: notification.sentAt?.toISOString() ?? null,
  };
}

export function presentNotificationList(list: NotificationList): NotificationListDto {
  return { items: list.items.map(presentNotification), page: list.page, limit: list.limit, total: list.total };
}
