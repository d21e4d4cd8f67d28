import { randomBytes } from 'node:crypto';
import { startSystem, startTestSmtpServer, waitFor, type RunningSystem, type TestSmtpServer } from '@platform/testing';

/**
 * The whole story through the gateway only, against the three apps as real processes, real Postgres,
 * Redis and RabbitMQ, and a real SMTP server.
 */
let smtp: TestSmtpServer;
let system: RunningSystem;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  system = await startSystem({ smtpUrl: smtp.url, name: 'e2e_journey' });
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; requestId?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.requestId) headers['x-request-id'] = options.requestId;
  const res = await fetch(`${system.gatewayUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

async function login(email: string, password: string): Promise<Reply<{ accessToken: string }>> {
  return call<{ accessToken: string }>('POST', '/api/auth/login', { body: { email, password } });
}

it('sign up → welcome → change email → notices → deactivate → login refused → delete → goodbye → history', async () => {
  const suffix = randomBytes(4).toString('hex');
  const email = `ada-${suffix}@example.com`;
  const newEmail = `ada.king-${suffix}@example.com`;
  const password = `Correct-horse-${suffix}1`;
  const name = 'Ada <Lovelace>';
  const signupRequestId = `e2e-signup-${suffix}`;

  // Sign up (public) and log in.
  const signup = await call<{ id: string; email: string }>('POST', '/api/users', {
    body: { email, name, password },
    requestId: signupRequestId,
  });
  expect(signup.status).toBe(201);
  expect(signup.headers.get('x-request-id')).toBe(signupRequestId);
  expect(signup.body.email).toBe(email);
  expect(JSON.stringify(signup.body)).not.toMatch(/password|hash/i);
  const userId = signup.body.id;

  const userLogin = await login(email, password);
  expect(userLogin.status).toBe(200);
  const userToken = userLogin.body.accessToken;

  // Welcome mail, with the name as text.
  const welcome = await smtp.waitForMail((m) => m.to.includes(email), 30_000);
  expect(welcome.text).toContain('Ada <Lovelace>');
  expect(welcome.html).toContain('Ada &lt;Lovelace&gt;');
  expect(welcome.html).not.toContain('<Lovelace>');

  // The sign-up's request id travelled with the event into notification-service's logs.
  await waitFor(
    () =>
      system
        .logs('notification-service')
        .some((line) => line.includes(`"requestId":"${signupRequestId}"`) && line.includes('user.created')),
    { timeoutMs: 10_000, description: 'the sign-up request id in a notification-service log line about user.created' },
  );

  // Change the email: a notice to the old and to the new address.
  const changed = await call<{ email: string }>('PATCH', `/api/users/${userId}`, { token: userToken, body: { email: newEmail } });
  expect(changed.status).toBe(200);
  expect(changed.body.email).toBe(newEmail);
  await smtp.waitForMail((m) => m.to.includes(email) && m !== welcome, 30_000);
  await smtp.waitForMail((m) => m.to.includes(newEmail), 30_000);

  // An admin deactivates the user; the user can no longer log in.
  const adminLogin = await login(system.admin.email, system.admin.password);
  expect(adminLogin.status).toBe(200);
  const adminToken = adminLogin.body.accessToken;
  expect((await call('POST', `/api/users/${userId}/deactivate`, { token: adminToken })).status).toBe(200);
  const refused = await login(newEmail, password);
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ error: { code: 'USER_INACTIVE', requestId: expect.any(String) } });
  const mailsToNewBeforeDelete = smtp.mailsTo(newEmail).length;
  await waitFor(() => smtp.mailsTo(newEmail).length >= 2, { timeoutMs: 30_000, description: 'the deactivation notice' });

  // Deleted: a goodbye mail.
  expect((await call('DELETE', `/api/users/${userId}`, { token: adminToken })).status).toBe(204);
  await waitFor(() => smtp.mailsTo(newEmail).length >= Math.max(3, mailsToNewBeforeDelete + 1), {
    timeoutMs: 30_000,
    description: 'the goodbye mail',
  });
  expect((await call('GET', `/api/users/${userId}`, { token: adminToken })).status).toBe(404);

  // The notification history, through the gateway: one notification per mail, all sent.
  const history = await waitFor(
    async () => {
      const reply = await call<{ items: Array<{ recipient: string; status: string; type: string }>; total: number }>(
        'GET',
        `/api/notifications?userId=${userId}&limit=100`,
        { token: adminToken },
      );
      return reply.status === 200 && reply.body.items.length === 5 && reply.body.items.every((n) => n.status === 'sent')
        ? reply.body
        : undefined;
    },
    { timeoutMs: 30_000, description: 'five sent notifications in the history' },
  );
  expect(history.items.map((n) => n.recipient).sort()).toEqual([email, email, newEmail, newEmail, newEmail].sort());

  // Exactly one mail per notification: nothing duplicated.
  expect(smtp.mailsTo(email)).toHaveLength(2);
  expect(smtp.mailsTo(newEmail)).toHaveLength(3);

  // No secret anywhere in what the apps logged.
  for (const app of ['user-service', 'notification-service', 'api-gateway'] as const) {
    const logs = system.logs(app).join('\n');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(userToken);
    expect(logs).not.toMatch(/\$2[aby]\$\d{2}\$/);
  }
});
