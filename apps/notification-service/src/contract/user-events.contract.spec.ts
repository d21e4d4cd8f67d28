/**
 * Contract test, consumer side: every user event the producer's fixtures describe (user-service asserts
 * that it emits exactly these shapes) parses with the schemas this service consumes, arrives on a routing
 * key the queue is bound to, and is handled into the expected notification kinds.
 */
import {
  parseUserEventMessage,
  routingKeyOfEvent,
  USER_EVENT_ROUTING_KEYS,
  type UserEvent,
  userEventFixtures,
} from '@platform/event-contracts';
import { HandleUserEventUseCase } from '../application';
import type { NotificationKind } from '../domain';
import { FixedClock, InMemoryNotificationStore } from '../test/fakes';

const expectedKinds: Record<keyof typeof userEventFixtures, NotificationKind[]> = {
  created: ['welcome'],
  updatedEmail: ['email-changed-old', 'email-changed-new'],
  updatedName: [],
  activated: [],
  deactivated: ['deactivated'],
  deleted: ['goodbye'],
};

describe('user events contract (consumer side)', () => {
  it('every fixture has an expectation here, so a new event type fails this test until handled', () => {
    expect(Object.keys(expectedKinds).sort()).toEqual(Object.keys(userEventFixtures).sort());
  });

  it.each(Object.entries(userEventFixtures))('%s: parses, is routed to our queue and yields its notifications', async (name, fixture) => {
    const parsed = parseUserEventMessage(Buffer.from(JSON.stringify(fixture)));
    expect(parsed).toEqual({ ok: true, value: fixture });
    expect(USER_EVENT_ROUTING_KEYS).toContain(routingKeyOfEvent(fixture));

    const store = new InMemoryNotificationStore();
    const result = await new HandleUserEventUseCase({ inbox: store, clock: new FixedClock() }).execute(
      (parsed.ok ? parsed.value : fixture) as UserEvent,
    );
    expect(result.outcome).toBe('recorded');
    expect(result.notifications.map((n) => n.kind)).toEqual(expectedKinds[name as keyof typeof userEventFixtures]);
    for (const notification of result.notifications) {
      expect(notification.content.text).toContain(fixture.payload.name);
      expect(notification.recipient).toMatch(/@/);
    }
  });
});
