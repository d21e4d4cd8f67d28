import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchChromium } from './test/browser';
import { type RunningGateway, startGateway } from './test/gateway-harness';
import { realServices } from './test/real-services';

/**
 * The gateway in front of the real user-service and notification-service (production builds started by
 * the global setup, on their own databases, vhost and Redis prefix).
 */
describe('with the real user-service and notification-service', () => {
  const services = realServices();
  let gw: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    gw = await startGateway({
      USER_SERVICE_URL: services.userServiceUrl,
      NOTIFICATION_SERVICE_URL: services.notificationServiceUrl,
      LOGIN_RATE_LIMIT_MAX: '4',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  const password = 'Correct horse battery 9';
  const newEmail = (): string => `gw-${randomBytes(4).toString('hex')}@example.com`;

  async function signUp(email: string): Promise<{ id: string }> {
    const res = await fetch(`${gw.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Gateway Test', password }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string };
  }

  async function login(email: string, secret = password): Promise<Response> {
    return fetch(`${gw.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: secret }),
    });
  }

  it('signs up, logs in through the buffered login route, and reads the user with the token', async () => {
    const email = newEmail();
    const user = await signUp(email);
    const loggedIn = await login(email);
    expect(loggedIn.status).toBe(200);
    const { accessToken, tokenType } = (await loggedIn.json()) as { accessToken: string; tokenType: string };
    expect(tokenType).toBe('Bearer');
    const auth = { authorization: `Bearer ${accessToken}` };

    const me = await fetch(`${gw.url}/api/users/me`, { headers: auth });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.id, email });
    for (let i = 0; i < 2; i++) {
      const byId = await fetch(`${gw.url}/api/users/${user.id}`, { headers: { ...auth, 'x-request-id': `gw-test-${i}` } });
      expect(byId.status).toBe(200);
      expect(byId.headers.get('x-request-id')).toBe(`gw-test-${i}`);
      expect(await byId.json()).toMatchObject({ id: user.id, email });
    }
    const notifications = await fetch(`${gw.url}/api/notifications?userId=${user.id}&page=1&limit=10`, { headers: auth });
    expect(notifications.status).toBe(200);
    expect(notifications.headers.get('content-type')).toContain('application/json');
  });

  it("relays the services' own errors with the request id the gateway gave the request", async () => {
    const admin = (await (await login(services.admin.email, services.admin.password)).json()) as { accessToken: string };
    const res = await fetch(`${gw.url}/api/users/${randomUUID()}`, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    // Rejected at the gateway: the service never sees it.
    expect((await fetch(`${gw.url}/api/users/me`)).status).toBe(401);
  });

  it('limits password guessing per client and email in front of the real login', async () => {
    const email = newEmail();
    await signUp(email);
    for (let i = 0; i < 4; i++) expect((await login(email, 'Wrong password 1')).status).toBe(401);
    const limited = await login(email, password);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it("merges both services' OpenAPI documents under the public paths", async () => {
    const doc = (await (await fetch(`${gw.url}/docs/openapi.json`)).json()) as Record<string, unknown> & { paths: object };
    expect(doc['x-missing-services']).toEqual([]);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/users', '/api/users/{id}', '/api/users/me', '/api/auth/login', '/api/notifications']),
    );
    expect(paths.every((path) => /^\/api\/(users|auth|notifications)(\/|$)/.test(path))).toBe(true);
  });

  it('Swagger UI "Try it out" of POST /api/users creates a user in the real user-service (201)', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${gw.url}/docs`);
    const signUpBlock = page.locator('.opblock-post', { has: page.locator('[data-path="/api/users"]') });
    await signUpBlock.waitFor({ timeout: 15_000 });
    await page.locator('.opblock-summary-path[data-path="/api/users/{id}"]').first().waitFor();
    await signUpBlock.locator('.opblock-summary').click();
    await signUpBlock.locator('button.try-out__btn').click();
    const email = newEmail();
    await signUpBlock.locator('textarea.body-param__text').fill(JSON.stringify({ email, name: 'From Swagger UI', password }));
    await signUpBlock.locator('button.execute').click();
    const status = signUpBlock.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.textContent())?.trim()).toBe('201');
    expect(problems).toEqual([]);
    await page.close();
    expect((await login(email)).status).toBe(200);
  });
});
