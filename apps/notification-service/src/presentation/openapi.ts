import { bearerSecurityScheme, errorResponse } from '@platform/service-runtime';
import type { z } from 'zod';
import { createDocument } from 'zod-openapi';
import {
  listNotificationsQuerySchema,
  notificationIdParamsSchema,
  notificationListSchema,
  notificationSchema,
} from './notifications.schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** OpenAPI 3.1, generated from the same zod schemas that validate the requests. */
export function buildOpenApiDocument(version = '1.0.0'): ReturnType<typeof createDocument> {
  const common = {
    '401': errorResponse('Missing, malformed or invalid bearer token (UNAUTHENTICATED)'),
    '503': errorResponse('Token keys could not be fetched (AUTH_UNAVAILABLE)'),
  };
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'notification-service',
      version,
      description: 'Notifications the platform sent (or will send) to users after user events.',
    },
    components: { securitySchemes: bearerSecurityScheme },
    security: [{ bearerAuth: [] }],
    paths: {
      '/notifications': {
        get: {
          summary: 'List notifications, newest first',
          description: 'A user sees only their own; an admin sees anyone’s, or all without userId.',
          requestParams: { query: listNotificationsQuerySchema },
          responses: {
            '200': { description: 'A page of notifications', ...json(notificationListSchema) },
            '400': errorResponse('Invalid or unknown query parameter (VALIDATION_FAILED)'),
            '403': errorResponse('A user asked for another user’s notifications (FORBIDDEN)'),
            ...common,
          },
        },
      },
      '/notifications/{id}': {
        get: {
          summary: 'One notification',
          requestParams: { path: notificationIdParamsSchema },
          responses: {
            '200': { description: 'The notification', ...json(notificationSchema) },
            '400': errorResponse('The id is not a UUID (VALIDATION_FAILED)'),
            '404': errorResponse('No such notification, or not yours (NOTIFICATION_NOT_FOUND)'),
            ...common,
          },
        },
      },
    },
  });
}
