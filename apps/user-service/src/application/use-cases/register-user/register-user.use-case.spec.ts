import { aUser, fakePorts, PASSWORD } from '../../../test/fakes/user-fixtures';
import { RegisterUserUseCase } from './register-user.use-case';

describe('RegisterUserUseCase', () => {
  const setup = () => {
    const ports = fakePorts();
    return { ...ports, registerUser: new RegisterUserUseCase(ports) };
  };
  const input = { email: ' Ada@Example.com ', name: 'Ada Lovelace', password: PASSWORD, correlationId: 'req-1' };

  it('creates an active user with the user role, and a user.created event in the same save', async () => {
    const { registerUser, users } = setup();
    const result = await registerUser.execute(input);

    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ email: 'ada@example.com', name: 'Ada Lovelace', role: 'user', isActive: true }),
    });
    expect(result.ok && result.value).not.toHaveProperty('passwordHash');
    expect(users.outbox).toEqual([
      expect.objectContaining({
        routingKey: 'user.created.v1',
        event: expect.objectContaining({ type: 'user.created', correlationId: 'req-1', causationId: null }),
      }),
    ]);
  });

  it('stores a hash of the password, never the password', async () => {
    const { registerUser, users } = setup();
    const result = await registerUser.execute(input);
    const stored = result.ok ? await users.findByEmail((await users.list({ offset: 0, limit: 1 })).items[0].email) : null;
    expect(stored?.passwordHash).toBe(`fake-hash(${PASSWORD})`);
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['name', { name: 'A' }],
    ['password', { password: 'short' }],
    ['password', { password: `A1${'x'.repeat(71)}` }],
  ])('refuses an invalid %s with VALIDATION_FAILED and stores nothing', async (field, override) => {
    const { registerUser, users } = setup();
    const result = await registerUser.execute({ ...input, ...override });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field } });
    expect(users.size).toBe(0);
  });

  it('refuses a taken email (whatever its case) with EMAIL_ALREADY_EXISTS', async () => {
    const { registerUser, users } = setup();
    users.seed(await aUser({ email: 'ada@example.com' }));
    expect(await registerUser.execute(input)).toMatchObject({ ok: false, error: { code: 'EMAIL_ALREADY_EXISTS' } });
    expect(users.outbox).toEqual([]);
  });

  it('answers EMAIL_ALREADY_EXISTS when the email is taken between the check and the save (the race)', async () => {
    const { registerUser, users, passwords } = setup();
    const rival = await aUser({ email: 'ada@example.com' });
    const hash = passwords.hash.bind(passwords);
    passwords.hash = async (password) => {
      users.seed(rival); // someone else's sign-up commits while we hash
      return hash(password);
    };
    expect(await registerUser.execute(input)).toMatchObject({ ok: false, error: { code: 'EMAIL_ALREADY_EXISTS' } });
  });
});
