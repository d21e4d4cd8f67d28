import { aUser, fakePorts, PASSWORD } from '../../../test/fakes/user-fixtures';
import { LoginUseCase } from './login.use-case';

describe('LoginUseCase', () => {
  const setup = async () => {
    const ports = fakePorts();
    const ada = await aUser({ email: 'ada@example.com', role: 'admin' });
    const inactive = await aUser({ email: 'gone@example.com', active: false });
    ports.users.seed(ada, inactive);
    return { ...ports, ada, login: new LoginUseCase(ports) };
  };

  it('issues an access token for the right email (any case) and password', async () => {
    const { login, ada } = await setup();
    expect(await login.execute({ email: 'ADA@example.com', password: PASSWORD })).toEqual({
      ok: true,
      value: { accessToken: `token(${ada.id},admin)`, tokenType: 'Bearer', expiresIn: 900 },
    });
  });

  it('gives the same error, after the same work, for an unknown email and a wrong password', async () => {
    const { login, passwords } = await setup();
    const wrongPassword = await login.execute({ email: 'ada@example.com', password: 'Wrong-Pass-1' });
    const unknownEmail = await login.execute({ email: 'nobody@example.com', password: PASSWORD });
    const malformedEmail = await login.execute({ email: 'not an email', password: PASSWORD });

    for (const result of [wrongPassword, unknownEmail, malformedEmail]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect' } });
    }
    // One comparison each; for unknown emails against the dummy hash.
    expect(passwords.comparisons).toBe(3);
    expect(passwords.dummyComparisons).toBe(2);
  });

  it('refuses a password longer than 72 bytes even when bcrypt would see a match in its first 72', async () => {
    const ports = fakePorts();
    const exactly72 = `A1${'x'.repeat(70)}`;
    ports.users.seed(await aUser({ email: 'long@example.com', password: exactly72 }));
    const login = new LoginUseCase(ports);

    expect((await login.execute({ email: 'long@example.com', password: exactly72 })).ok).toBe(true);
    expect(await login.execute({ email: 'long@example.com', password: `${exactly72}-and-more` })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    });
  });

  it('refuses an inactive user, but only once the password matched', async () => {
    const { login } = await setup();
    expect(await login.execute({ email: 'gone@example.com', password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'USER_INACTIVE' },
    });
    expect(await login.execute({ email: 'gone@example.com', password: 'Wrong-Pass-1' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    });
  });
});
