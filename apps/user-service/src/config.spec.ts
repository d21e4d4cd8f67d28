import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '@platform/service-runtime';
import { userServiceConfigSchema } from './config';

const workspaceRoot = path.resolve(__dirname, '../../..');

describe('user-service configuration', () => {
  it('has defaults that work on a developer machine with no .env', () => {
    const result = parseConfig(userServiceConfigSchema, {});
    expect(result).toMatchObject({
      ok: true,
      value: {
        PORT: 3001,
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/users',
        REDIS_URL: 'redis://127.0.0.1:6379',
        RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
        USER_EVENTS_EXCHANGE: 'user.events',
        BCRYPT_COST: 12,
        CACHE_TTL_SECONDS: 60,
        JWT_ISSUER: 'user-service',
        JWT_AUDIENCE: 'platform',
        ACCESS_TOKEN_TTL_SECONDS: 900,
      },
    });
  });

  it('in production, JWT_PRIVATE_KEY is required', () => {
    expect(parseConfig(userServiceConfigSchema, { NODE_ENV: 'production' })).toEqual({
      ok: false,
      error: [{ variable: 'JWT_PRIVATE_KEY', problem: expect.stringContaining('required in production') }],
    });
  });

  it('lists every bad variable, never a value', () => {
    const result = parseConfig(userServiceConfigSchema, {
      BCRYPT_COST: '3',
      JWT_PRIVATE_KEY: 'not-a-pem-secret',
      JWT_PREVIOUS_PUBLIC_KEYS: '{nope',
    });
    expect(result.ok).toBe(false);
    const variables = !result.ok ? result.error.map((issue) => issue.variable).sort() : [];
    expect(variables).toEqual(['BCRYPT_COST', 'JWT_PREVIOUS_PUBLIC_KEYS', 'JWT_PRIVATE_KEY']);
    expect(JSON.stringify(result)).not.toContain('not-a-pem-secret');
  });

  describe('the bootstrap admin password in production', () => {
    const production = (password: string) =>
      parseConfig(userServiceConfigSchema, {
        NODE_ENV: 'production',
        JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
        ADMIN_EMAIL: 'root@example.com',
        ADMIN_PASSWORD: password,
      });

    it.each([
      ['shorter than 12 characters', 'Sh0rt-Pass1', 'at least 12'],
      ['a common password', 'qwertyuiop123', 'common password'],
      ['a common password in other case', 'QWERTYUIOP123', 'common password'],
      ['a common word with digits and symbols appended', 'Password2024!!', 'common password'],
    ])('refuses one %s, naming the variable and never the value', (_label, password, problem) => {
      const result = production(password);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toEqual([{ variable: 'ADMIN_PASSWORD', problem: expect.stringContaining(problem) }]);
      expect(JSON.stringify(result.error)).not.toContain(password);
    });

    it('accepts a long uncommon one, and leaves development alone', () => {
      expect(production('Correct horse battery 9').ok).toBe(true);
      expect(parseConfig(userServiceConfigSchema, { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'Passw0rd' }).ok).toBe(true);
    });
  });

  it('ADMIN_EMAIL and ADMIN_PASSWORD go together', () => {
    expect(parseConfig(userServiceConfigSchema, { ADMIN_EMAIL: 'admin@example.com' })).toMatchObject({
      ok: false,
      error: [{ variable: 'ADMIN_PASSWORD' }],
    });
  });

  it('the service refuses to start in production without a signing key: exit 1 naming the variable', async () => {
    const run = promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'apps/user-service/src/main.ts'], {
      cwd: workspaceRoot,
      timeout: 30_000,
      env: { ...process.env, NODE_ENV: 'production', JWT_PRIVATE_KEY: '', SWC_NODE_PROJECT: 'tsconfig.base.json' },
    });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('JWT_PRIVATE_KEY: is required in production') });
  });
});
