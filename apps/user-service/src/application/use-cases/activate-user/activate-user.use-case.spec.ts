import { actorFor, aUser, fakePorts } from '../../../test/fakes/user-fixtures';
import { DeactivateUserUseCase } from '../deactivate-user/deactivate-user.use-case';
import { ActivateUserUseCase } from './activate-user.use-case';

describe('ActivateUserUseCase and DeactivateUserUseCase', () => {
  const setup = async () => {
    const ports = fakePorts();
    const ada = await aUser();
    const admin = await aUser({ role: 'admin' });
    ports.users.seed(ada, admin);
    return { ...ports, ada, admin, activate: new ActivateUserUseCase(ports), deactivate: new DeactivateUserUseCase(ports) };
  };
  const command = (actor: Parameters<typeof actorFor>[0], userId: string) => ({ actor: actorFor(actor), userId, correlationId: 'req-3' });

  it('an admin deactivates and reactivates a user: one event each, cached copy dropped', async () => {
    const { activate, deactivate, ada, admin, users, cache } = await setup();
    cache.entries.set(ada.id, {} as never);
    expect(await deactivate.execute(command(admin, ada.id))).toMatchObject({ ok: true, value: { isActive: false } });
    expect(cache.entries.has(ada.id)).toBe(false);
    expect(await deactivate.execute(command(admin, ada.id))).toMatchObject({ ok: true, value: { isActive: false } });
    expect(await activate.execute(command(admin, ada.id))).toMatchObject({ ok: true, value: { isActive: true } });
    expect(users.outbox.map((m) => m.routingKey)).toEqual(['user.deactivated.v1', 'user.activated.v1']);
  });

  it('is for admins only, even on oneself', async () => {
    const { activate, deactivate, ada } = await setup();
    expect(await deactivate.execute(command(ada, ada.id))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await activate.execute(command(ada, ada.id))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('an unknown user is USER_NOT_FOUND', async () => {
    const { activate, admin } = await setup();
    expect(await activate.execute(command(admin, '3f1c2b8e-0000-4000-8000-000000000000'))).toMatchObject({
      ok: false,
      error: { code: 'USER_NOT_FOUND' },
    });
  });
});
