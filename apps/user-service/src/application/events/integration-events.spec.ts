import { parseUserEvent, userEventFixtures } from '@platform/event-contracts';
import { Result } from '@platform/shared-kernel';
import { Email } from '../../domain/user/email';
import { User } from '../../domain/user/user';
import { UserId } from '../../domain/user/user-id';
import { UserName } from '../../domain/user/user-name';
import { toIntegrationEvent, toOutboxMessages } from './integration-events';

describe('domain events → integration events (contract v1)', () => {
  const fixture = userEventFixtures.created;
  const occurredAt = new Date(fixture.occurredAt);

  function ada(): User {
    return User.register({
      id: Result.unwrap(UserId.from(fixture.aggregateId)),
      email: Result.unwrap(Email.create('ada@example.com')),
      name: Result.unwrap(UserName.create('Ada Lovelace')),
      passwordHash: '$2b$04$abcdefghijklmnopqrstuuM1hI3a3Y4e8m2bPqvKxVbZ0z5wYc3bq',
      now: occurredAt,
    });
  }

  type Change = (user: User) => unknown;
  it.each<[keyof typeof userEventFixtures, Change]>([
    ['created', () => undefined],
    ['updatedEmail', (user: User) => user.update({ email: Result.unwrap(Email.create('ada@new.example.com')) }, occurredAt)],
    ['updatedName', (user: User) => user.update({ name: Result.unwrap(UserName.create('Ada King')) }, occurredAt)],
    ['deactivated', (user: User) => user.deactivate(occurredAt)],
    ['activated', (user: User) => (user.deactivate(occurredAt), user.pullDomainEvents(), user.activate(occurredAt))],
    ['deleted', (user: User) => user.delete(occurredAt)],
  ])('%s has exactly the shape of the contract fixture (event id aside)', (name, change) => {
    const user = ada();
    if (name !== 'created') user.pullDomainEvents();
    change(user);
    const [event] = user.pullDomainEvents().map((domainEvent) => toIntegrationEvent(domainEvent, fixture.correlationId));
    expect({ ...event, eventId: 'x' }).toEqual({ ...userEventFixtures[name], eventId: 'x' });
    expect(parseUserEvent(event).ok).toBe(true);
  });

  it('outbox messages carry the routing key, the event id and no password hash', () => {
    const [message] = toOutboxMessages(ada().pullDomainEvents(), 'req-1');
    expect(message.routingKey).toBe('user.created.v1');
    expect(message.eventId).toBe(message.event.eventId);
    expect(JSON.stringify(message)).not.toMatch(/\$2b\$|hash/i);
  });

  it('refuses to build an event that breaks the contract (e.g. a malformed correlation id)', () => {
    expect(() => toOutboxMessages(ada().pullDomainEvents(), 'has spaces')).toThrow();
  });
});
