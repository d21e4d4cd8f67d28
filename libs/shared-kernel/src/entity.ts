import type { DomainEvent } from './domain-event';

/** Has an identity that outlives changes to its attributes: equal ids mean the same entity. */
export abstract class Entity<Props extends object> {
  protected constructor(
    readonly id: string,
    protected props: Props,
  ) {}

  equals(other?: Entity<Props> | null): boolean {
    if (other === null || other === undefined) return false;
    return other === this || (other.constructor === this.constructor && other.id === this.id);
  }
}

/**
 * The consistency boundary. It records what happened as domain events; whoever saves the aggregate
 * pulls them (once) and stores them in the same transaction.
 */
export abstract class AggregateRoot<Props extends object, Event extends DomainEvent = DomainEvent> extends Entity<Props> {
  private pendingEvents: Event[] = [];

  protected addDomainEvent(event: Event): void {
    this.pendingEvents.push(event);
  }

  /** Returns the events recorded since the last pull and forgets them. */
  pullDomainEvents(): Event[] {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    return events;
  }

  get hasPendingEvents(): boolean {
    return this.pendingEvents.length > 0;
  }
}
