import { randomBytes } from 'node:crypto';
import { startSystem, startTestSmtpServer, waitFor, type RunningSystem, type TestSmtpServer } from '@platform/testing';

/**
 * No event is lost to routing. user-service starts alone in a fresh vhost, so nobody has declared
 * notification-service's queue yet: the bootstrap admin's and a sign-up's user.created events are
 * unroutable. Before the fix the broker dropped them, confirmed them anyway and the outbox marked them
 * published: the welcome mails never came. Now they stay pending and go out once notification-service
 * has started and declared its queue, without anyone lifting a finger.
 */
let smtp: TestSmtpServer;
let system: RunningSystem;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  system = await startSystem({
    smtpUrl: smtp.url,
    name: 'e2e_unroutable',
    apps: ['user-service'],
    // A short retry ceiling keeps the test quick; the default (60 s) behaves the same, only slower.
    env: { 'user-service': { OUTBOX_RETRY_BASE_DELAY_MS: '200', OUTBOX_RETRY_MAX_DELAY_MS: '2000' } },
  });
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

it('events published before any consumer queue exists reach notification-service once it starts: the welcome mails arrive', async () => {
  const email = `early-${randomBytes(4).toString('hex')}@example.com`;
  const signup = await fetch(`${system.userServiceUrl}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Early Bird', password: `Early-bird-${randomBytes(4).toString('hex')}9` }),
  });
  expect(signup.status).toBe(201);

  // The relay found no queue for them: they are unroutable, pending, counted and logged.
  await waitFor(() => system.logs('user-service').some((line) => line.includes('Outbox events are unroutable')), {
    timeoutMs: 15_000,
    description: 'the unroutable warning',
  });
  const metrics = await (await fetch(`${system.userServiceUrl}/metrics`)).text();
  expect(metrics).toMatch(/outbox_unroutable_total\{routing_key="user\.created\.v1",service="user-service"\} [1-9]/);
  expect(metrics).toMatch(/outbox_pending_messages\{service="user-service"\} [1-9]/);
  expect(smtp.mails).toEqual([]);

  // notification-service starts later and declares its queue: both welcomes arrive, nothing was lost.
  await system.start('notification-service');
  const welcome = await smtp.waitForMail((mail) => mail.to.includes(email), 60_000);
  expect(welcome.subject).toBe('Welcome to Platform');
  const adminWelcome = await smtp.waitForMail((mail) => mail.to.includes(system.admin.email), 60_000);
  expect(adminWelcome.subject).toBe('Welcome to Platform');
  await waitFor(
    async () =>
      /outbox_pending_messages\{service="user-service"\} 0\b/.test(await (await fetch(`${system.userServiceUrl}/metrics`)).text()),
    {
      timeoutMs: 15_000,
      description: 'the outbox to be empty',
    },
  );
});
