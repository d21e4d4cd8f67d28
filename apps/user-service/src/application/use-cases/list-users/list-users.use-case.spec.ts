import { actorFor, aUser, fakePorts } from '../../../test/fakes/user-fixtures';
import { ListUsersUseCase } from './list-users.use-case';

describe('ListUsersUseCase', () => {
  const setup = async () => {
    const ports = fakePorts();
    // Created in this order (oldest first), stored in another.
    const admin = await aUser({ role: 'admin' });
    const others = [await aUser(), await aUser({ active: false }), await aUser(), await aUser({ active: false })];
    ports.users.seed(...[...others].reverse(), admin);
    return { admin, others, listUsers: new ListUsersUseCase(ports) };
  };

  it('pages through users oldest first, with the total', async () => {
    const { admin, others, listUsers } = await setup();
    const first = await listUsers.execute({ actor: actorFor(admin), page: 1, limit: 2 });
    const third = await listUsers.execute({ actor: actorFor(admin), page: 3, limit: 2 });
    expect(first).toMatchObject({ ok: true, value: { page: 1, limit: 2, total: 5 } });
    expect(first.ok && first.value.items.map((u) => u.id)).toEqual([admin.id, others[0].id]);
    expect(third.ok && third.value.items.map((u) => u.id)).toEqual([others[3].id]);
  });

  it('filters by isActive', async () => {
    const { admin, listUsers } = await setup();
    const inactive = await listUsers.execute({ actor: actorFor(admin), page: 1, limit: 100, isActive: false });
    expect(inactive.ok && inactive.value.items.every((u) => !u.isActive)).toBe(true);
    expect(inactive.ok && inactive.value.total).toBe(2);
  });

  it('is for admins only', async () => {
    const { others, listUsers } = await setup();
    expect(await listUsers.execute({ actor: actorFor(others[0]), page: 1, limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it.each([
    [0, 10, 'page'],
    [1.5, 10, 'page'],
    [1, 0, 'limit'],
    [1, 101, 'limit'],
  ])('refuses page=%p limit=%p', async (page, limit, field) => {
    const { admin, listUsers } = await setup();
    expect(await listUsers.execute({ actor: actorFor(admin), page, limit })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', field },
    });
  });
});
