import { Router } from 'express';
import { type JwtVerifier, principalOf, requireAuth, validateRequest } from '@platform/service-runtime';
import type { GetNotificationUseCase, ListNotificationsUseCase } from '../application';
import { presentNotification, presentNotificationList } from './notification.presenter';
import { listNotificationsQuerySchema, notificationIdParamsSchema } from './notifications.schemas';

export interface NotificationsRouterDeps {
  verifier: JwtVerifier;
  listNotifications: ListNotificationsUseCase;
  getNotification: GetNotificationUseCase;
}

/** Domain error codes of this service → HTTP status (the common ones come from service-runtime). */
export const NOTIFICATION_STATUS_BY_CODE: Readonly<Record<string, number>> = { NOTIFICATION_NOT_FOUND: 404 };

export function notificationsRouter(deps: NotificationsRouterDeps): Router {
  const router = Router();
  router.use('/notifications', requireAuth(deps.verifier));

  router.get('/notifications', async (req, res) => {
    const query = validateRequest(listNotificationsQuerySchema, req.query, 'query');
    const result = await deps.listNotifications.execute({ requester: principalOf(res), ...query });
    if (!result.ok) throw result.error;
    res.json(presentNotificationList(result.value));
  });

  router.get('/notifications/:id', async (req, res) => {
    const { id } = validateRequest(notificationIdParamsSchema, req.params, 'params');
    const result = await deps.getNotification.execute({ requester: principalOf(res), id });
    if (!result.ok) throw result.error;
    res.json(presentNotification(result.value));
  });

  return router;
}
