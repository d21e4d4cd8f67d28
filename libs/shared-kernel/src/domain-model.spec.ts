import { domainEventMetadata, type DomainEvent } from './domain-event';
import { AggregateRoot, Entity } from './entity';
import { ValueObject } from './value-object';

class Money extends ValueObject<{ amount: number; currency: string; tags?: string[] }> {
  static of(amount: number, currency: string, tags?: string[]): Money {
    return new Money({ amount, currency, tags });
  }
  get amount(): number {
    return this.props.amount;
  }
}

class Weight extends ValueObject<{ amount: number; currency: string }> {
  static of(amount: number, currency: string): Weight {
    return new Weight({ amount, currency });
  }
}

interface RenamedEvent extends DomainEvent {
  type: 'renamed';
  name: string;
}

class Account extends AggregateRoot<{ name: string }, RenamedEvent> {
  static open(id: string, name: string): Account {
    return new Account(id, { name });
  }
  rename(name: string): void {
    this.props.name = name;
    this.addDomainEvent({ ...domainEventMetadata(this.id), type: 'renamed', name });
  }
}

class Note extends Entity<{ text: string }> {
  static of(id: string, text: string): Note {
    return new Note(id, { text });
  }
}

describe('ValueObject', () => {
  it('is equal to another with the same props, including nested arrays', () => {
    expect(Money.of(5, 'EUR', ['a']).equals(Money.of(5, 'EUR', ['a']))).toBe(true);
  });
  it('differs when any prop differs', () => {
    expect(Money.of(5, 'EUR').equals(Money.of(6, 'EUR'))).toBe(false);
    expect(Money.of(5, 'EUR', ['a']).equals(Money.of(5, 'EUR', ['b']))).toBe(false);
  });
  it('is never equal to null, undefined or a different class with the same shape', () => {
    expect(Money.of(5, 'EUR').equals(null)).toBe(false);
    expect(Money.of(5, 'EUR').equals(undefined)).toBe(false);
    expect(Money.of(5, 'EUR').equals(Weight.of(5, 'EUR') as never)).toBe(false);
  });
  it('is immutable', () => {
    const money = Money.of(5, 'EUR');
    expect(() => {
      (money as unknown as { props: { amount: number } }).props.amount = 7;
    }).toThrow(TypeError);
    expect(money.amount).toBe(5);
  });
});

describe('Entity and AggregateRoot', () => {
  it('entities are equal by id, not by attributes', () => {
    expect(Note.of('1', 'a').equals(Note.of('1', 'b'))).toBe(true);
    expect(Note.of('1', 'a').equals(Note.of('2', 'a'))).toBe(false);
    expect(Note.of('1', 'a').equals(null)).toBe(false);
  });

  it('collects domain events and hands them out once', () => {
    const account = Account.open('acc-1', 'old');
    expect(account.hasPendingEvents).toBe(false);
    account.rename('a');
    account.rename('b');
    expect(account.hasPendingEvents).toBe(true);

    const events = account.pullDomainEvents();
    expect(events.map((e) => e.name)).toEqual(['a', 'b']);
    expect(events[0].aggregateId).toBe('acc-1');
    expect(events[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events[0].eventId).not.toBe(events[1].eventId);
    expect(account.pullDomainEvents()).toEqual([]);
    expect(account.hasPendingEvents).toBe(false);
  });
});
