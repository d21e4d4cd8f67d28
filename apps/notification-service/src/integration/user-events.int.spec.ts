import { MessagingHeaders, replayDeadLetters } from '@platform/messaging';
import { waitFor } from '@platform/testing';
import type { EventInbox } from '../application';
import { freshEvent, queryDatabase, startTestService, type TestService } from '../test/service-harness';

/** Fails the inbox write for the event ids in `failing`, like a database that is briefly away. */
class FlakyInbox implements EventInbox {
  readonly failing = new Map<string, number>();
  constructor(private readonly inner: EventInbox) {}
  failNext(eventId: string, times = Number.POSITIVE_INFINITY): void {
    this.failing.set(eventId, times);
  }
  record(...args: Parameters<EventInbox['record']>): ReturnType<EventInbox['record']> {
    const left = this.failing.get(args[0].eventId) ?? 0;
    if (left > 0) {
      this.failing.set(args[0].eventId, left - 1);
      return Promise.reject(new Error('Connection terminated unexpectedly (injected)'));
    }
    return this.inner.record(...args);
  }
}

describe('consuming user events (real RabbitMQ, Postgres and SMTP)', () => {
  let t: TestService;
  let flaky: FlakyInbox;

  beforeAll(async () => {
    t = await startTestService({
      decorateInbox: (inbox) => {
        flaky = new FlakyInbox(inbox);
        return flaky;
      },
    });
  });
  afterAll(() => t?.stop());

  const dlq = () => `${t.queue}.dlq`;
  const metric = async (name: string) => {
    const text = await t.service.metrics.registry.metrics();
    return text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const notificationsOf = (userId: string) =>
    queryDatabase<{ kind: string; status: string; recipient: string }>(
      t.databaseUrl,
      'SELECT kind, status, recipient FROM notifications WHERE user_id = $1 ORDER BY kind::text',
      [userId],
    );

  it('sends a welcome mail for user.created: recipient, subject, name in text, <script> escaped in HTML', async () => {
    const event = freshEvent('created', { name: '<script>alert(1)</script> Ada' });
    await t.publisher.publishEvent(event);
    const mail = await t.smtp.waitForMail((m) => m.to.includes(event.payload.email));
    expect(mail.subject).toBe('Welcome to Platform');
    expect(mail.from).toBe('no-reply@platform.local');
    expect(mail.text).toContain('<script>alert(1)</script> Ada');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Ada');
    expect(mail.html).not.toContain('<script>');
    await waitFor(async () => (await notificationsOf(event.payload.userId))[0]?.status === 'sent');
  });

  it('notifies the old and the new address on an email change, the user on deactivation and deletion', async () => {
    const changed = freshEvent('updatedEmail');
    const userId = changed.payload.userId;
    const events = [changed, freshEvent('deactivated', { userId }), freshEvent('deleted', { userId }), freshEvent('activated', { userId })];
    for (const event of events) await t.publisher.publishEvent(event);
    const expected: Array<[string, string]> = [
      [changed.payload.previousEmail ?? '', 'Your email address was changed'],
      [changed.payload.email, 'Your new email address'],
      [changed.payload.email, 'Your account was deactivated'],
      [changed.payload.email, 'Goodbye from Platform'],
    ];
    for (const [to, subject] of expected) await t.smtp.waitForMail((m) => m.to.includes(to) && m.subject === subject);
    await waitFor(
      async () =>
        (await queryDatabase(t.databaseUrl, 'SELECT 1 FROM processed_events WHERE event_id = $1', [events[3].eventId])).length === 1,
    );
    expect((await notificationsOf(userId)).map((n) => n.kind)).toEqual([
      'deactivated',
      'email-changed-new',
      'email-changed-old',
      'goodbye',
    ]);
    expect(
      t.smtp.mails.filter(
        (m) =>
          m.text.includes(changed.payload.name) &&
          (m.to.includes(changed.payload.email) || m.to.includes(changed.payload.previousEmail ?? '')),
      ),
    ).toHaveLength(4);
  });

  it('the same event delivered twice yields one mail', async () => {
    const event = freshEvent('created');
    await t.publisher.publishEvent(event);
    await t.publisher.publishEvent(event);
    await t.smtp.waitForMail((m) => m.to.includes(event.payload.email));
    const processedBefore = await metric('notification_consumer_processed_total');
    const marker = freshEvent('created');
    await t.publisher.publishEvent(marker); // in order behind the duplicate: once it is mailed, the duplicate was handled
    await t.smtp.waitForMail((m) => m.to.includes(marker.payload.email));
    await waitFor(async () => (await metric('notification_consumer_processed_total')) >= processedBefore + 1);
    expect(t.smtp.mailsTo(event.payload.email)).toHaveLength(1);
    expect(await notificationsOf(event.payload.userId)).toHaveLength(1);
    expect(t.logs().some((l) => l['message'] === 'Event already processed; nothing to do' && l['eventId'] === event.eventId)).toBe(true);
  });

  it('logs every line about an event with the request id of the HTTP request behind it', async () => {
    const event = freshEvent('created', { correlationId: 'req-trace-42' });
    await t.publisher.publishEvent(event);
    await t.smtp.waitForMail((m) => m.to.includes(event.payload.email));
    await waitFor(() => t.logs().some((l) => l['message'] === 'Notification sent' && l['requestId'] === 'req-trace-42'));
    const lines = t.logs().filter((l) => l['eventId'] === event.eventId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l['requestId'] === 'req-trace-42')).toBe(true);
  });

  it('dead-letters a non-JSON and a schema-invalid message at once, with the reason, and keeps consuming', async () => {
    const invalid = { ...freshEvent('created'), payload: { ...freshEvent('created').payload, password: 'S3cret!' } };
    await t.publisher.publishRaw('user.created.v1', Buffer.from('{not json'), 'not-json-1');
    await t.publisher.publishRaw('user.created.v1', Buffer.from(JSON.stringify(invalid)), invalid.eventId);
    const after = freshEvent('created');
    await t.publisher.publishEvent(after);
    await t.smtp.waitForMail((m) => m.to.includes(after.payload.email));
    await waitFor(async () => (await t.publisher.messageCount(dlq())) === 2);
    const dead = [await t.publisher.inspector.get(dlq()), await t.publisher.inspector.get(dlq())];
    const byId = Object.fromEntries(dead.map((m) => (m ? [m.properties.messageId, m.properties.headers] : ['', {}])));
    expect(byId['not-json-1']).toMatchObject({ [MessagingHeaders.deadLetterReason]: 'NOT_JSON', [MessagingHeaders.attempts]: 1 });
    expect(byId[invalid.eventId]).toMatchObject({
      [MessagingHeaders.deadLetterReason]: 'CONTRACT_VIOLATION',
      [MessagingHeaders.attempts]: 1,
    });
    await t.publisher.inspector.recover(); // unacked gets go back to the DLQ
    expect(t.smtp.mailsTo(invalid.payload.email)).toHaveLength(0);
    expect(await metric('notification_consumer_dead_lettered_total')).toBe(2);
    expect(JSON.stringify(t.logs())).not.toContain('S3cret!');
    await t.publisher.inspector.purgeQueue(dlq());
  });

  it('acks and counts an unknown event type instead of crashing or dead-lettering it', async () => {
    const unknown = { ...freshEvent('created'), type: 'user.promoted' };
    await t.publisher.publishRaw('user.created.v1', Buffer.from(JSON.stringify(unknown)), unknown.eventId);
    await waitFor(async () => (await metric('notification_consumer_unknown_event_types_total')) === 1);
    expect(await t.publisher.messageCount(dlq())).toBe(0);
    expect(await metric('notification_consumer_processed_total')).toBeGreaterThan(0);
  });

  it('keeps metric labels from message data in a fixed set, whatever types and headers a publisher invents', async () => {
    for (let i = 0; i < 20; i++) {
      const invented = { ...freshEvent('created'), type: `invented-${i}-${'x'.repeat(200)}` };
      await t.publisher.publishRaw('user.created.v1', Buffer.from(JSON.stringify(invented)), invented.eventId);
    }
    const known = freshEvent('created');
    const forged = { 'x-original-routing-key': 'forged.routing.key', 'x-original-exchange': 'forged', 'x-attempt': 99 };
    await t.publisher.publishRaw('user.created.v1', Buffer.from(JSON.stringify(known)), known.eventId, undefined, forged);
    await t.smtp.waitForMail((m) => m.to.includes(known.payload.email));

    const text = await t.service.metrics.registry.metrics();
    const labels = (name: string, label: string) =>
      new Set(
        text
          .split('\n')
          .filter((line) => line.startsWith(`${name}{`))
          .map((line) => new RegExp(`${label}="([^"]*)"`).exec(line)?.[1]),
      );
    expect(labels('notification_consumer_unknown_event_types_total', 'event_type')).toEqual(new Set(['unknown']));
    for (const key of labels('notification_consumer_processed_total', 'routing_key')) {
      expect(['user.created.v1', 'user.updated.v1', 'user.activated.v1', 'user.deactivated.v1', 'user.deleted.v1', 'unknown']).toContain(
        key,
      );
    }
    expect(text).not.toContain('forged');
    expect(text).not.toContain('invented');
    // The forged x-attempt did not send the event to the dead-letter queue at its first failure either.
    expect(await t.publisher.messageCount(dlq())).toBe(0);
  });

  it('plants no mail: only contract-valid events for existing fields produce one, everything else is dead-lettered', async () => {
    const created = () => freshEvent('created');
    const withPayload = (event: { payload: object }, payload: Record<string, unknown>): Record<string, unknown> => ({
      ...event,
      payload: { ...event.payload, ...payload },
    });
    const updated = () => freshEvent('updatedEmail');
    const planted: Array<[string, string, Record<string, unknown>]> = [
      ['an extra payload field', 'user.created.v1', withPayload(created(), { bcc: 'attacker@example.com' })],
      ['a header injection in the address', 'user.created.v1', withPayload(created(), { email: 'a@example.com\r\nBcc: x@example.com' })],
      ['a local part of 200 characters', 'user.created.v1', withPayload(created(), { email: `${'a'.repeat(200)}@example.com` })],
      ['a bidi override in the name', 'user.created.v1', withPayload(created(), { name: 'Ada \u202Egnp.exe' })],
      ['a field that does not exist in changedFields', 'user.updated.v1', withPayload(updated(), { changedFields: ['role'] })],
      ['an email change without the previous address', 'user.updated.v1', withPayload(updated(), { previousEmail: undefined })],
      ['a type its routing key does not name', 'user.deleted.v1', created()],
      ['a role that does not exist', 'user.created.v1', withPayload(created(), { role: 'root' })],
    ];
    const dlqBefore = await t.publisher.messageCount(dlq());
    for (const [, routingKey, event] of planted) {
      await t.publisher.publishRaw(routingKey, Buffer.from(JSON.stringify(event)), String(event['eventId']));
    }
    await waitFor(async () => (await t.publisher.messageCount(dlq())) === dlqBefore + planted.length, {
      timeoutMs: 10_000,
      description: `${planted.length} dead letters`,
    });
    const after = freshEvent('created');
    await t.publisher.publishEvent(after);
    await t.smtp.waitForMail((m) => m.to.includes(after.payload.email));
    for (const [label, , event] of planted) {
      const payload = event['payload'] as { userId: string; email: string };
      expect([label, await notificationsOf(payload.userId)]).toEqual([label, []]);
    }
    expect(t.smtp.mails.filter((m) => m.to.some((to) => to.includes('attacker') || to.includes('\n')))).toEqual([]);
    await t.publisher.inspector.purgeQueue(dlq());
  });

  it('retries a handler failure (database briefly away) with delays, then succeeds', async () => {
    const event = freshEvent('deactivated');
    flaky.failNext(event.eventId, 2);
    const retriedBefore = await metric('notification_consumer_retried_total');
    await t.publisher.publishEvent(event);
    await t.smtp.waitForMail((m) => m.to.includes(event.payload.email));
    expect((await metric('notification_consumer_retried_total')) - retriedBefore).toBe(2);
    const processed = t.logs().find((l) => l['message'] === 'Event processed' && l['eventId'] === event.eventId);
    expect(processed?.['attempt']).toBe(3);
  });

  it('dead-letters after the last attempt; replay brings it back and it is processed', async () => {
    const event = freshEvent('created');
    flaky.failNext(event.eventId);
    await t.publisher.publishEvent(event);
    await waitFor(async () => (await t.publisher.messageCount(dlq())) === 1, { timeoutMs: 10_000 });
    const dead = await t.publisher.inspector.get(dlq());
    expect(dead && dead.properties.headers).toMatchObject({
      [MessagingHeaders.deadLetterReason]: 'MAX_ATTEMPTS_EXCEEDED',
      [MessagingHeaders.attempts]: 3,
      [MessagingHeaders.deadLetterError]: expect.stringContaining('Connection terminated'),
    });
    await t.publisher.inspector.recover();
    expect(t.smtp.mailsTo(event.payload.email)).toHaveLength(0);

    flaky.failing.delete(event.eventId); // the database is back
    const dryRun = await replayDeadLetters({ queue: t.queue, url: t.vhost.url, dryRun: true });
    expect(dryRun).toMatchObject({
      dryRun: true,
      found: 1,
      count: 1,
      messages: [{ messageId: event.eventId, reason: 'MAX_ATTEMPTS_EXCEEDED' }],
    });
    await waitFor(async () => (await t.publisher.messageCount(dlq())) === 1);
    const report = await replayDeadLetters({ queue: t.queue, url: t.vhost.url });
    expect(report.count).toBe(1);
    await t.smtp.waitForMail((m) => m.to.includes(event.payload.email));
    expect(await t.publisher.messageCount(dlq())).toBe(0);
  });
});
