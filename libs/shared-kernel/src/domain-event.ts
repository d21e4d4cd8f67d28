/** Something that happened in the domain. Translated to an integration event by the application layer. */
export interface DomainEvent {
  readonly eventId: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly occurredAt: Date;
}

/** Fields every domain event carries; `eventId` is a fresh UUID and `occurredAt` defaults to now. */
export function domainEventMetadata(aggregateId: string, occurredAt: Date = new Date()): Omit<DomainEvent, 'type'> {
  return { eventId: globalThis.crypto.randomUUID(), aggregateId, occurredAt };
}
