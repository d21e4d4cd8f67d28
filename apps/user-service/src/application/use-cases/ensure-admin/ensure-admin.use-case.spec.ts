import { aUser, fakePorts, PASSWORD } from '../../../test/fakes/user-fixtures';
import { RegisterUserUseCase } from '../register-user/register-user.use-case';
import { EnsureAdminUseCase } from './ensure-admin.use-case';

describe('EnsureAdminUseCase', () => {
  const setup = () => {
    const ports = fakePorts();
    return { ...ports, ensureAdmin: new EnsureAdminUseCase({ users: ports.users, registration: new RegisterUserUseCase(ports) }) };
  };
  const input = { email: 'root@example.com', name: 'Root', password: PASSWORD, correlationId: 'bootstrap-1' };

  it('creates the admin once; later runs find it', async () => {
    const { ensureAdmin, users } = setup();
    expect(await ensureAdmin.execute(input)).toEqual({ ok: true, value: 'created' });
    expect(await ensureAdmin.execute(input)).toEqual({ ok: true, value: 'exists' });
    expect(users.size).toBe(1);
    expect((await users.list({ offset: 0, limit: 1 })).items[0].role).toBe('admin');
  });

  it('does not promote a non-admin who owns the email', async () => {
    const { ensureAdmin, users } = setup();
    users.seed(await aUser({ email: 'root@example.com' }));
    expect(await ensureAdmin.execute(input)).toEqual({ ok: true, value: 'taken' });
    expect((await users.list({ offset: 0, limit: 1 })).items[0].role).toBe('user');
  });

  it('refuses a password that breaks the policy', async () => {
    const { ensureAdmin } = setup();
    expect(await ensureAdmin.execute({ ...input, password: 'weak' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
