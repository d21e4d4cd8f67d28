import { actorFor, portsWithUsers } from '../../../test/fakes/user-fixtures';
import { GetUserUseCase } from './get-user.use-case';

describe('GetUserUseCase', () => {
  const setup = async () => {
    const ports = await portsWithUsers();
    return { ...ports, getUser: new GetUserUseCase(ports) };
  };

  it('lets users read themselves, and caches what it read', async () => {
    const { getUser, ada, cache } = await setup();
    const result = await getUser.execute({ actor: actorFor(ada), userId: ada.id });
    expect(result).toMatchObject({ ok: true, value: { id: ada.id, email: ada.email.value } });
    expect(cache.entries.get(ada.id)).toEqual(result.ok && result.value);
    expect(cache.entries.get(ada.id)).not.toHaveProperty('passwordHash');
  });

  it('answers from the cache on a hit', async () => {
    const { getUser, ada, cache } = await setup();
    cache.entries.set(ada.id, { id: ada.id, email: 'cached@example.com' } as never);
    expect(await getUser.execute({ actor: actorFor(ada), userId: ada.id })).toMatchObject({
      ok: true,
      value: { email: 'cached@example.com' },
    });
    expect(cache.hits).toBe(1);
  });

  it('forbids reading another user, whether or not that user exists', async () => {
    const { getUser, ada, bob } = await setup();
    for (const userId of [bob.id, '3f1c2b8e-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect(await getUser.execute({ actor: actorFor(ada), userId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('lets an admin read anyone; an unknown or malformed id is USER_NOT_FOUND', async () => {
    const { getUser, admin, bob } = await setup();
    expect(await getUser.execute({ actor: actorFor(admin), userId: bob.id })).toMatchObject({ ok: true, value: { id: bob.id } });
    for (const userId of ['3f1c2b8e-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect(await getUser.execute({ actor: actorFor(admin), userId })).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
    }
  });
});
