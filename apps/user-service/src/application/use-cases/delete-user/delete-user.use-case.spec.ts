import { UserId } from '../../../domain/user/user-id';
import { Result } from '@platform/shared-kernel';
import { actorFor, type fakePorts, portsWithUsers } from '../../../test/fakes/user-fixtures';
import { DeleteUserUseCase } from './delete-user.use-case';

describe('DeleteUserUseCase', () => {
  const setup = async () => {
    const ports = await portsWithUsers();
    return { ...ports, deleteUser: new DeleteUserUseCase(ports) };
  };
  const command = (actor: Parameters<typeof actorFor>[0], userId: string) => ({ actor: actorFor(actor), userId, correlationId: 'req-4' });
  const exists = async (users: ReturnType<typeof fakePorts>['users'], id: string) =>
    (await users.findById(Result.unwrap(UserId.from(id)))) !== null;

  it('users delete themselves: the user is gone, user.deleted is stored, the cached copy dropped', async () => {
    const { deleteUser, ada, users, cache } = await setup();
    cache.entries.set(ada.id, {} as never);
    expect(await deleteUser.execute(command(ada, ada.id))).toEqual({ ok: true, value: undefined });
    expect(await exists(users, ada.id)).toBe(false);
    expect(cache.entries.has(ada.id)).toBe(false);
    expect(users.outbox.map((m) => m.event)).toEqual([
      expect.objectContaining({ type: 'user.deleted', payload: { userId: ada.id, email: ada.email.value, name: ada.name.value } }),
    ]);
  });

  it('forbids deleting someone else; an admin may', async () => {
    const { deleteUser, ada, bob, admin, users } = await setup();
    expect(await deleteUser.execute(command(ada, bob.id))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await exists(users, bob.id)).toBe(true);
    expect((await deleteUser.execute(command(admin, bob.id))).ok).toBe(true);
    expect(await exists(users, bob.id)).toBe(false);
  });

  it('deleting a deleted user is USER_NOT_FOUND', async () => {
    const { deleteUser, admin, bob } = await setup();
    await deleteUser.execute(command(admin, bob.id));
    expect(await deleteUser.execute(command(admin, bob.id))).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
  });
});
