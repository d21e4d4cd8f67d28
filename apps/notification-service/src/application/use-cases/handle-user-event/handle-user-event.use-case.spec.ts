import { userEventFixtures } from '@platform/event-contracts';
import { FixedClock, InMemoryNotificationStore } from '../../../test/fakes';
import { HandleUserEventUseCase } from './handle-user-event.use-case';

function setup() {
  const store = new InMemoryNotificationStore();
  const clock = new FixedClock();
  return { store, clock, useCase: new HandleUserEventUseCase({ inbox: store, clock }) };
}

describe('HandleUserEventUseCase', () => {
  it('records a pending welcome mail for user.created, with the inbox row', async () => {
    const { store, clock, useCase } = setup();
    const result = await useCase.execute(userEventFixtures.created);
    expect(result.outcome).toBe('recorded');
    expect(result.notifications).toHaveLength(1);
    const [welcome] = [...store.notifications.values()];
    expect(welcome).toMatchObject({
      kind: 'welcome',
      recipient: 'ada@example.com',
      status: 'pending',
      userId: userEventFixtures.created.payload.userId,
      eventId: userEventFixtures.created.eventId,
      correlationId: 'req-7f3a2c',
      createdAt: clock.now(),
    });
    expect(welcome.content.text).toContain('Ada Lovelace');
    expect(store.events.get(userEventFixtures.created.eventId)).toMatchObject({
      eventType: 'user.created',
      correlationId: 'req-7f3a2c',
      occurredAt: new Date(userEventFixtures.created.occurredAt),
    });
  });

  it('the same event again records nothing new', async () => {
    const { store, useCase } = setup();
    await useCase.execute(userEventFixtures.created);
    const again = await useCase.execute(userEventFixtures.created);
    expect(again).toEqual({ outcome: 'duplicate', notifications: [] });
    expect(store.notifications.size).toBe(1);
  });

  it('an email change notifies the old and the new address', async () => {
    const { useCase } = setup();
    const { notifications } = await useCase.execute(userEventFixtures.updatedEmail);
    expect(notifications.map((n) => [n.kind, n.recipient])).toEqual([
      ['email-changed-old', 'ada@example.com'],
      ['email-changed-new', 'ada@new.example.com'],
    ]);
  });

  it.each([
    ['a name-only update', userEventFixtures.updatedName],
    ['an activation', userEventFixtures.activated],
  ])('%s sends nothing but is recorded as processed', async (_label, event) => {
    const { store, useCase } = setup();
    expect(await useCase.execute(event)).toEqual({ outcome: 'recorded', notifications: [] });
    expect(store.events.has(event.eventId)).toBe(true);
  });
});
