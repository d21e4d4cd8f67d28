import { z } from 'zod';
import { baseConfigShape, envBoolean, loadConfig, parseConfig } from './config';

const schema = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(1).max(65_535).default(3001),
  DATABASE_URL: z.url(),
  CACHE_ENABLED: envBoolean().default(true),
});

describe('parseConfig', () => {
  it('applies defaults and coerces types', () => {
    const result = parseConfig(schema, { DATABASE_URL: 'postgresql://u:p@localhost/db', CACHE_ENABLED: 'false' });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ PORT: 3001, NODE_ENV: 'development', CACHE_ENABLED: false, BODY_LIMIT: '100kb' }),
    });
  });

  it('treats an empty variable as unset', () => {
    const result = parseConfig(schema, { DATABASE_URL: 'postgresql://localhost/db', PORT: '' });
    expect(result.ok && result.value.PORT).toBe(3001);
  });

  it('lists every offending variable without echoing values', () => {
    const result = parseConfig(schema, { PORT: 'seventy', NODE_ENV: 'staging', CACHE_ENABLED: 'maybe-s3cret' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((issue) => issue.variable).sort()).toEqual(['CACHE_ENABLED', 'DATABASE_URL', 'NODE_ENV', 'PORT']);
    expect(JSON.stringify(result.error)).not.toContain('maybe-s3cret');
  });
});

describe('loadConfig', () => {
  it('prints the problems and exits with code 1 on bad config', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => loadConfig(schema, { PORT: '0' }, 'user-service')).toThrow('exit 1');
      const printed = stderr.mock.calls.map(([text]) => String(text)).join('');
      expect(printed).toContain('user-service: invalid configuration');
      expect(printed).toMatch(/- PORT: /);
      expect(printed).toMatch(/- DATABASE_URL: /);
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
