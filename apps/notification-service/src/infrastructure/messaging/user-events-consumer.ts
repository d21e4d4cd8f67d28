import {
  type EventParseError,
  parseUserEventMessage,
  routingKeyOfEvent,
  USER_EVENT_ROUTING_KEYS,
  USER_EVENTS_EXCHANGE,
  userEventSchemas,
} from '@platform/event-contracts';
import { type InboundMessage, PermanentMessageError, type RabbitConnection, ReliableConsumer } from '@platform/messaging';
import { isWellFormedRequestId, type Logger, requestContext } from '@platform/service-runtime';
import type { HandleUserEventUseCase } from '../../application';
import type { NotificationServiceConfig } from '../config';
import type { NotificationMetrics } from '../observability/notification-metrics';

export interface UserEventsConsumerDeps {
  connection: RabbitConnection;
  config: Pick<NotificationServiceConfig, 'CONSUMER_QUEUE' | 'CONSUMER_PREFETCH' | 'CONSUMER_MAX_ATTEMPTS' | 'CONSUMER_RETRY_DELAYS_MS'>;
  handleUserEvent: HandleUserEventUseCase;
  metrics: NotificationMetrics;
  logger: Logger;
  /** Called after an event recorded new pending notifications (wakes the sender). */
  onNotificationsRecorded: () => void;
}

const KNOWN_ROUTING_KEYS = new Set<string>(USER_EVENT_ROUTING_KEYS);
const KNOWN_EVENT_TYPES = new Set<string>(Object.values(userEventSchemas).map((schema) => schema.shape.type.value));

/**
 * Metric labels from message data come from a fixed set: a known value or `unknown`. Whoever can publish to
 * the exchange chooses types and routing keys; as labels they would grow a time series per invented value.
 */
export const routingKeyLabel = (routingKey: string): string => (KNOWN_ROUTING_KEYS.has(routingKey) ? routingKey : 'unknown');
export const eventTypeLabel = (type: string): string => (KNOWN_EVENT_TYPES.has(type) ? type : 'unknown');

/**
 * The queue `notification-service.user-events`, bound to every user event routing key of `user.events`.
 * Every message is parsed against the event contracts first: non-JSON, contract violations and an event
 * whose type is not the one its routing key names go to the DLQ at once (PermanentMessageError), so only
 * contract-valid events produce mails; unknown types are acked and counted, valid events are handled in
 * the request context of the HTTP request that caused them (correlationId), so their log lines carry it.
 */
export function createUserEventsConsumer(deps: UserEventsConsumerDeps): ReliableConsumer {
  const { config, metrics, logger } = deps;

  const handler = async (message: InboundMessage): Promise<void> => {
    const parsed = parseUserEventMessage(message.body);
    if (!parsed.ok) {
      rejectUnusable(parsed.error, message);
      return;
    }
    const event = parsed.value;
    // One reading of a message: the routing key it was delivered by and the type it says it is must agree.
    if (routingKeyOfEvent(event) !== message.routingKey) {
      throw new PermanentMessageError('ROUTING_KEY_MISMATCH', `A ${event.type} v${event.version} event arrived with another routing key`);
    }
    const result = await deps.handleUserEvent.execute(event);
    logger.info(result.outcome === 'duplicate' ? 'Event already processed; nothing to do' : 'Event processed', {
      eventId: event.eventId,
      type: event.type,
      attempt: message.attempt,
      notifications: result.notifications.map((n) => ({ id: n.id, kind: n.kind })),
    });
    if (result.notifications.length > 0) deps.onNotificationsRecorded();
  };

  // Everything done for a message logs with the request id of the HTTP request that caused the event.
  const runInContext = <T>(message: InboundMessage, work: () => Promise<T>): Promise<T> => {
    const requestId = isWellFormedRequestId(message.correlationId) ? message.correlationId : `message-${message.messageId ?? 'unknown'}`;
    return requestContext.run({ requestId }, work);
  };

  const rejectUnusable = (error: EventParseError, message: InboundMessage): void => {
    if (error.code === 'UNKNOWN_EVENT_TYPE') {
      // A newer producer may publish types we do not know yet: not poison, just not ours to handle. The label
      // is the type when we know it (a version we do not), else `unknown`; the log line says which.
      metrics.consumerUnknownEventTypes.inc({ event_type: eventTypeLabel(error.type) });
      logger.warn('Unknown event type; acked without handling', {
        messageId: message.messageId,
        routingKey: message.routingKey,
        type: error.type,
        version: error.version,
      });
      return;
    }
    throw new PermanentMessageError(error.code, error.message);
  };

  return new ReliableConsumer(deps.connection, {
    queue: config.CONSUMER_QUEUE,
    exchange: USER_EVENTS_EXCHANGE,
    routingKeys: USER_EVENT_ROUTING_KEYS,
    handler,
    prefetch: config.CONSUMER_PREFETCH,
    maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
    retryDelaysMs: config.CONSUMER_RETRY_DELAYS_MS,
    logger,
    runInContext,
    hooks: {
      onProcessed: (info) => metrics.consumerProcessed.inc({ routing_key: routingKeyLabel(info.routingKey) }),
      onRetried: (info) => metrics.consumerRetried.inc({ routing_key: routingKeyLabel(info.routingKey) }),
      onDeadLettered: (info) => metrics.consumerDeadLettered.inc({ reason: info.reason }),
    },
  });
}
