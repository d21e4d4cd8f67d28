import { Result } from '@platform/shared-kernel';
import { UserId } from '../../../domain/user/user-id';
import { actorFor, portsWithUsers } from '../../../test/fakes/user-fixtures';
import { UpdateUserUseCase } from './update-user.use-case';

describe('UpdateUserUseCase', () => {
  const setup = async () => {
    const ports = await portsWithUsers();
    return { ...ports, updateUser: new UpdateUserUseCase(ports) };
  };
  const command = (actor: Parameters<typeof actorFor>[0], userId: string, changes: { name?: string; email?: string }) => ({
    actor: actorFor(actor),
    userId,
    changes,
    correlationId: 'req-9',
  });

  it('changes name and email, emits user.updated with the previous email, and drops the cached copy', async () => {
    const { updateUser, ada, users, cache } = await setup();
    cache.entries.set(ada.id, {} as never);
    const result = await updateUser.execute(command(ada, ada.id, { name: 'Ada King', email: 'Ada@New.example.com' }));

    expect(result).toMatchObject({ ok: true, value: { name: 'Ada King', email: 'ada@new.example.com' } });
    expect(cache.entries.has(ada.id)).toBe(false);
    expect(users.outbox.map((m) => m.event)).toEqual([
      expect.objectContaining({
        type: 'user.updated',
        correlationId: 'req-9',
        payload: {
          userId: ada.id,
          changedFields: ['name', 'email'],
          name: 'Ada King',
          email: 'ada@new.example.com',
          previousEmail: ada.email.value,
        },
      }),
    ]);
  });

  it('an unchanged value is no change and no event', async () => {
    const { updateUser, ada, users } = await setup();
    expect((await updateUser.execute(command(ada, ada.id, { email: ada.email.value.toUpperCase() }))).ok).toBe(true);
    expect(users.outbox).toEqual([]);
  });

  it("refuses another user's email with EMAIL_ALREADY_EXISTS", async () => {
    const { updateUser, ada, bob, users } = await setup();
    expect(await updateUser.execute(command(ada, ada.id, { email: bob.email.value }))).toMatchObject({
      ok: false,
      error: { code: 'EMAIL_ALREADY_EXISTS' },
    });
    expect((await users.findById(Result.unwrap(UserId.from(ada.id))))?.email.value).toBe(ada.email.value);
  });

  it('refuses invalid values with VALIDATION_FAILED', async () => {
    const { updateUser, ada } = await setup();
    expect(await updateUser.execute(command(ada, ada.id, { name: 'x' }))).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', field: 'name' },
    });
  });

  it('forbids changing someone else; an admin may', async () => {
    const { updateUser, ada, bob, admin } = await setup();
    expect(await updateUser.execute(command(ada, bob.id, { name: 'Hacked' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await updateUser.execute(command(admin, bob.id, { name: 'Robert' }))).toMatchObject({ ok: true, value: { name: 'Robert' } });
  });

  it('an unknown user is USER_NOT_FOUND (for an admin)', async () => {
    const { updateUser, admin } = await setup();
    expect(await updateUser.execute(command(admin, '3f1c2b8e-0000-4000-8000-000000000000', { name: 'Nobody' }))).toMatchObject({
      ok: false,
      error: { code: 'USER_NOT_FOUND' },
    });
  });
});
