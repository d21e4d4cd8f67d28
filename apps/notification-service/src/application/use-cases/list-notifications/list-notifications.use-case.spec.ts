import { userEventFixtures } from '@platform/event-contracts';
import { FixedClock, InMemoryNotificationStore } from '../../../test/fakes';
import { GetNotificationUseCase } from '../get-notification/get-notification.use-case';
import { HandleUserEventUseCase } from '../handle-user-event/handle-user-event.use-case';
import { ListNotificationsUseCase } from './list-notifications.use-case';

const ada = userEventFixtures.created.payload.userId;
const other = '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c';

async function setup() {
  const store = new InMemoryNotificationStore();
  const clock = new FixedClock();
  const handle = new HandleUserEventUseCase({ inbox: store, clock });
  await handle.execute(userEventFixtures.created);
  clock.advance(1_000);
  await handle.execute(userEventFixtures.deactivated);
  await handle.execute({
    ...userEventFixtures.created,
    eventId: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    aggregateId: other,
    payload: { ...userEventFixtures.created.payload, userId: other, email: 'bob@example.com' },
  });
  return { store, list: new ListNotificationsUseCase({ repository: store }), get: new GetNotificationUseCase({ repository: store }) };
}

describe('ListNotificationsUseCase', () => {
  it('a user sees their own, newest first, when naming no one or themselves', async () => {
    const { list } = await setup();
    for (const userId of [undefined, ada]) {
      const result = await list.execute({ requester: { userId: ada, role: 'user' }, userId, page: 1, limit: 10 });
      expect(result.ok && result.value.items.map((n) => n.kind)).toEqual(['deactivated', 'welcome']);
      expect(result.ok && result.value.total).toBe(2);
    }
  });

  it("a user asking for someone else's is refused", async () => {
    const { list } = await setup();
    const result = await list.execute({ requester: { userId: ada, role: 'user' }, userId: other, page: 1, limit: 10 });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('an admin sees everyone, or one user, paged', async () => {
    const { list } = await setup();
    const admin = { userId: other, role: 'admin' as const };
    const all = await list.execute({ requester: admin, page: 1, limit: 2 });
    expect(all.ok && [all.value.items.length, all.value.total, all.value.page, all.value.limit]).toEqual([2, 3, 1, 2]);
    const second = await list.execute({ requester: admin, page: 2, limit: 2 });
    expect(second.ok && second.value.items.length).toBe(1);
    const ofAda = await list.execute({ requester: admin, userId: ada, page: 1, limit: 10 });
    expect(ofAda.ok && ofAda.value.total).toBe(2);
  });
});

describe('GetNotificationUseCase', () => {
  it("finds one's own; someone else's is not found for a user but visible to an admin", async () => {
    const { store, get } = await setup();
    const adasWelcome = [...store.notifications.values()].find((n) => n.userId === ada && n.kind === 'welcome');
    const id = adasWelcome?.id ?? '';
    expect(await get.execute({ requester: { userId: ada, role: 'user' }, id })).toMatchObject({ ok: true, value: { id } });
    expect(await get.execute({ requester: { userId: other, role: 'user' }, id })).toMatchObject({
      ok: false,
      error: { code: 'NOTIFICATION_NOT_FOUND' },
    });
    expect(await get.execute({ requester: { userId: other, role: 'admin' }, id })).toMatchObject({ ok: true });
    expect(await get.execute({ requester: { userId: other, role: 'admin' }, id: other })).toMatchObject({ ok: false });
  });
});
