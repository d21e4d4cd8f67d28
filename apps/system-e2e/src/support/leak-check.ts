import { waitFor } from '@platform/testing';
import type { AbuseSystem } from './abuse-system';
import { NOTIFICATION_DLQ } from './event-tap';
import { keysDeep, SECRET_KEY } from './http-client';
import { describeScan } from './secrets';

/** Anything named like a secret, as a key or inside a key, in an event. */
const SECRETISH_KEY = /pass|hash|secret|token|salt/i;

/**
 * The secret scan every abuse spec ends with:
 * 1. a poison message (no secret in it) is published so the dead-letter queue is not trivially empty;
 * 2. waits until the `user.created` event of every given sign-up went through the tap, and checks that
 *    each carries the user and no password-like field;
 * 3. scans logs, events, dead letters, outbox rows and response bodies for every password, hash and
 *    token the run handled; prints what it scanned and fails listing every exposure.
 */
export async function expectNoSecretExposed(env: AbuseSystem, signedUpUserIds: readonly string[]): Promise<void> {
  const poisonId = `poison-${Date.now()}`;
  await env.tap.publish('user.created.v1', JSON.stringify({ poison: poisonId, type: 'user.created', version: 1 }));
  await waitFor(async () => (await env.tap.depth(NOTIFICATION_DLQ)) > 0, {
    timeoutMs: 15_000,
    description: 'the poison message in the dead-letter queue',
  });

  const createdEvents = await waitFor(
    () => {
      const events = signedUpUserIds.map((id) =>
        env.tap.messages.find((m) => m.routingKey === 'user.created.v1' && m.content.includes(`"aggregateId":"${id}"`)),
      );
      return events.every((event) => event !== undefined) ? events : undefined;
    },
    { timeoutMs: 20_000, description: `user.created events for ${signedUpUserIds.length} sign-ups` },
  );
  for (const event of createdEvents) {
    const parsed = JSON.parse(event?.content ?? '{}') as { payload?: { email?: unknown } };
    expect(typeof parsed.payload?.email).toBe('string');
    expect([...keysDeep(parsed)].filter((key) => SECRETISH_KEY.test(key) || SECRET_KEY.test(key))).toEqual([]);
  }

  const report = await env.secrets.scan(env.system, env.tap);
  console.log(`secret scan: ${describeScan(report)}`);
  expect(report.scanned['dead letters']).toBeGreaterThan(0);
  expect(report.exposures).toEqual([]);
}
