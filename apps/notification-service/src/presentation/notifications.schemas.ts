import { z } from 'zod';
import { queryInteger } from '@platform/service-runtime';
import { NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from '../domain';

/** GET /notifications query. Strict: an unknown parameter is a 400, not silently ignored. */
export const listNotificationsQuerySchema = z.strictObject({
  userId: z
    .uuid()
    .optional()
    .meta({ description: 'Whose notifications. Users: only their own (the default). Admins: anyone; omit for all.' }),
  page: queryInteger({ min: 1, max: 100_000, fallback: 1 }).meta({ description: '1-based page number' }),
  limit: queryInteger({ min: 1, max: 100, fallback: 20 }).meta({ description: 'Items per page (1–100)' }),
});

export const notificationIdParamsSchema = z.strictObject({
  id: z.uuid().meta({ description: 'Notification id (UUID)' }),
});

export const notificationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    eventId: z.uuid().meta({ description: 'The integration event that caused the notification' }),
    type: z.enum(NOTIFICATION_KINDS),
    recipient: z.email(),
    subject: z.string(),
    status: z.enum(NOTIFICATION_STATUSES),
    attempts: z.number().int().meta({ description: 'Delivery attempts so far' }),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notification' });

export const notificationListSchema = z
  .object({
    items: z.array(notificationSchema),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int().meta({ description: 'Matching notifications over all pages' }),
  })
  .meta({ id: 'NotificationList' });

export type NotificationDto = z.infer<typeof notificationSchema>;
export type NotificationListDto = z.infer<typeof notificationListSchema>;
