import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/browser';
import { type RunningGateway, startGateway, startStub, type StubUpstream } from '../test/gateway-harness';

describe('API docs: merged OpenAPI document and Swagger UI (stub upstreams)', () => {
  let users: StubUpstream;
  let notifications: StubUpstream;
  let gw: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    // Each one assigned as it starts (and all awaited), so afterAll stops whatever started when another fails.
    const started = await Promise.allSettled([
      startStub({ name: 'users', openapi: 'users' }).then((stub) => (users = stub)),
      startStub({ name: 'notifications', openapi: 'notifications' }).then((stub) => (notifications = stub)),
      launchChromium().then((started) => (browser = started)),
    ]);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    gw = await startGateway({ USER_SERVICE_URL: users.url, NOTIFICATION_SERVICE_URL: notifications.url });
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await Promise.all([users?.stop(), notifications?.stop()]);
  });

  it('serves both services under their public paths, and nothing else of theirs', async () => {
    const res = await fetch(`${gw.url}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown>; servers: unknown; components: { schemas: object } };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/auth/login',
      '/api/notifications',
      '/api/notifications/{id}',
      '/api/users',
      '/api/users/{id}',
    ]);
    expect(doc.servers).toEqual([{ url: '/', description: 'this api-gateway' }]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ErrorResponse', 'User', 'Page', 'NotificationServicePage', 'Notification']),
    );
  });

  it('serves what is available when a service is down, naming the missing one', async () => {
    const docsOnly = await startStub({ name: 'users', openapi: 'users' });
    const lonely = await startGateway({
      USER_SERVICE_URL: docsOnly.url,
      NOTIFICATION_SERVICE_URL: 'http://127.0.0.1:9',
      DOCS_FETCH_TIMEOUT_MS: '500',
    });
    try {
      const res = await fetch(`${lonely.url}/docs/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as Record<string, unknown> & { paths: object; info: { description: string } };
      expect(doc['x-missing-services']).toEqual(['notification-service']);
      expect(doc.info.description).toContain('notification-service');
      expect(Object.keys(doc.paths)).toContain('/api/users/{id}');
      expect(Object.keys(doc.paths)).not.toContain('/api/notifications');
      // The public document names the missing service, never its internal address or the error.
      expect(JSON.stringify(doc)).not.toMatch(/127\.0\.0\.1|:9\b|ECONNREFUSED|answered/);
    } finally {
      await lonely.stop();
      await docsOnly.stop();
    }
  });

  it('Swagger UI lists the endpoints and its "Try it out" of POST /api/users gets 201 through the gateway', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('requestfailed', (request) => problems.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
    const hitsBefore = await users.hits();

    await page.goto(`${gw.url}/docs`);
    const signUp = page.locator('.opblock-post', { has: page.locator('[data-path="/api/users"]') });
    await signUp.waitFor({ timeout: 15_000 });
    for (const path of ['/api/users/{id}', '/api/auth/login', '/api/notifications']) {
      await page.locator(`.opblock-summary-path[data-path="${path}"]`).first().waitFor();
    }

    await signUp.locator('.opblock-summary').click();
    await signUp.locator('button.try-out__btn').click();
    const body = JSON.stringify({ email: 'browser@example.com', name: 'Browser', password: 'a long enough password' });
    await signUp.locator('textarea.body-param__text').fill(body);
    await signUp.locator('button.execute').click();
    const status = signUp.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.textContent())?.trim()).toBe('201');
    expect(await users.hits()).toBe(hitsBefore + 1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
