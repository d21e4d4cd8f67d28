import { redact, redactString } from './redact';
import { requestContext } from './request-context';
import { captureLogger } from './test/capture-logger';

const hash = '$2b$12$C6UzMDM.H6dfI/f/IKcEeO5h6rT4C4M8rY6J7W5uQ3p1fQ9l9GqKa';
const jwt = 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMjMiLCJyb2xlIjoidXNlciJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';

describe('logger', () => {
  it('writes JSON lines with service, level, timestamp and message', () => {
    const { logger, lines } = captureLogger('user-service');
    logger.info('hello', { userId: 'u1' });
    expect(lines()).toEqual([
      expect.objectContaining({ service: 'user-service', level: 'info', message: 'hello', userId: 'u1', timestamp: expect.any(String) }),
    ]);
  });

  it('redacts secrets under sensitive keys at any depth, and inside strings', () => {
    const { logger, lines } = captureLogger();
    const input = {
      password: 'Hunter2-pass',
      body: { user: { newPassword: 'Other-pass9', passwordHash: hash, name: 'Ada' } },
      headers: { authorization: `Bearer ${jwt}`, Cookie: 'sid=abc' },
      list: [{ token: 'tok-123' }, { accessToken: jwt }],
      note: `login failed for Bearer ${jwt} with ${hash}`,
      url: 'postgresql://app:db-pass-1@localhost:5432/users',
    };
    logger.warn(`got token ${jwt}`, input);
    const text = JSON.stringify(lines());
    for (const secret of ['Hunter2-pass', 'Other-pass9', hash, jwt, 'sid=abc', 'tok-123', 'db-pass-1']) {
      expect(text).not.toContain(secret);
    }
    const [line] = lines();
    expect(line['password']).toBe('[REDACTED]');
    expect((line['body'] as { user: { name: string } }).user.name).toBe('Ada');
    expect(line['url']).toBe('postgresql://app:[REDACTED]@localhost:5432/users');
    expect(input.password).toBe('Hunter2-pass');
  });

  it('caps what one line may carry: long strings (message included), long arrays; secrets still redacted', () => {
    const { logger, lines } = captureLogger();
    const megabyte = 'x'.repeat(1_000_000);
    logger.warn(`Unknown event type ${megabyte}`, {
      type: megabyte,
      nested: { deeper: [megabyte] },
      many: Array.from({ length: 10_000 }, (_, i) => i),
      note: `${'y'.repeat(5_000)} Bearer ${jwt}`,
      err: new Error(megabyte),
    });
    const [line] = lines();
    expect(JSON.stringify(line).length).toBeLessThan(40_000);
    expect(String(line['message'])).toMatch(/^Unknown event type x{4077}…\[\d+ more characters\]$/);
    expect(line['type']).toBe(`${'x'.repeat(4_096)}…[995904 more characters]`);
    expect(line['many']).toHaveLength(101);
    expect((line['many'] as unknown[]).at(-1)).toBe('…[9900 more items]');
    expect(JSON.stringify(line)).not.toContain(jwt.slice(0, 40));
  });

  it('logs errors with message and stack, redacted', () => {
    const { logger, lines } = captureLogger();
    logger.error('query failed', { err: new Error('connect to postgresql://u:pw-secret@db failed') });
    const err = lines()[0]['err'] as { message: string; stack: string; name: string };
    expect(err.name).toBe('Error');
    expect(err.message).toBe('connect to postgresql://u:[REDACTED]@db failed');
    expect(err.stack).not.toContain('pw-secret');
  });

  it('adds the request id of the current context to every line', async () => {
    const { logger, lines } = captureLogger();
    await requestContext.run({ requestId: 'req-42' }, async () => {
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines()[0]['requestId']).toBe('req-42');
    expect(lines()[1]['requestId']).toBeUndefined();
  });
});

describe('redact', () => {
  it('survives cycles and deep nesting', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(redact(cyclic)).toEqual({ a: 1, self: '[Circular]' });
    let deep: Record<string, unknown> = { secret: 'x' };
    for (let i = 0; i < 20; i++) deep = { inner: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('"x"');
  });

  it('leaves ordinary text alone', () => {
    expect(redactString('User ada@example.com created (id 42)')).toBe('User ada@example.com created (id 42)');
  });
});
