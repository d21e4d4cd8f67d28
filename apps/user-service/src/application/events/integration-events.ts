import { routingKeyOf, routingKeyOfEvent, type UserEvent, userEventSchemas } from '@platform/event-contracts';
import type { UserDomainEvent } from '../../domain/user/user.events';

/** One row of the transactional outbox: an integration event and where it is published. */
export interface OutboxMessage {
  readonly eventId: string;
  /** e.g. `user.created.v1` */
  readonly routingKey: string;
  readonly event: UserEvent;
}

/** The integration event (contract v1) for a domain event. Carries no password and no hash. */
export function toIntegrationEvent(event: UserDomainEvent, correlationId: string): UserEvent {
  const envelope = {
    eventId: event.eventId,
    version: 1 as const,
    occurredAt: event.occurredAt.toISOString(),
    aggregateId: event.aggregateId,
    correlationId,
    causationId: null,
  };
  const user = { userId: event.aggregateId, email: event.email, name: event.name };
  switch (event.type) {
    case 'UserCreated':
      return { ...envelope, type: 'user.created', payload: { ...user, role: event.role } };
    case 'UserUpdated':
      return {
        ...envelope,
        type: 'user.updated',
        payload: {
          ...user,
          changedFields: [...event.changedFields],
          ...(event.previousEmail !== undefined ? { previousEmail: event.previousEmail } : {}),
        },
      };
    case 'UserActivated':
      return { ...envelope, type: 'user.activated', payload: user };
    case 'UserDeactivated':
      return { ...envelope, type: 'user.deactivated', payload: user };
    case 'UserDeleted':
      return { ...envelope, type: 'user.deleted', payload: user };
  }
}

/**
 * Outbox rows for the events an aggregate recorded, each checked against its contract: an event that would
 * break the contract (or smuggle a field such as a hash) fails the whole save instead of being published.
 */
export function toOutboxMessages(events: readonly UserDomainEvent[], correlationId: string): OutboxMessage[] {
  return events.map((domainEvent) => {
    const candidate = toIntegrationEvent(domainEvent, correlationId);
    const event = userEventSchemas[routingKeyOfEvent(candidate)].parse(candidate) as UserEvent;
    return { eventId: event.eventId, routingKey: routingKeyOf(event.type, event.version), event };
  });
}
