import { randomBytes } from 'node:crypto';
import { startSystem, startTestSmtpServer, waitFor, type RunningSystem, type TestSmtpServer } from '@platform/testing';
import { type ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver';

/**
 * One sign-up through the gateway is one trace: gateway → user-service (HTTP) → outbox relay → RabbitMQ →
 * notification-service, each hop a child of the one before, exported over OTLP by three processes.
 */
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let smtp: TestSmtpServer;
let system: RunningSystem;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  smtp = await startTestSmtpServer();
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
  system = await startSystem({
    smtpUrl: smtp.url,
    name: 'e2e_tracing',
    env: { 'api-gateway': tracing, 'user-service': tracing, 'notification-service': tracing },
  });
}, 180_000);

afterAll(async () => {
  if (process.env['DEBUG_SPANS'])
    console.log(
      receiver.spans
        .map(
          (s) =>
            `${s.service} ${s.kind} ${s.name} ${s.traceId.slice(0, 6)} ${s.spanId.slice(0, 6)} <- ${s.parentSpanId?.slice(0, 6)} ${JSON.stringify(s.attributes).slice(0, 150)}`,
        )
        .join('\n'),
    );
  await system?.stop();
  await smtp?.close();
  await receiver?.close();
});

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

it('follows one sign-up from the gateway through the broker into notification-service', async () => {
  const email = `trace-${randomBytes(4).toString('hex')}@example.com`;
  const res = await fetch(`${system.gatewayUrl}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Grace Hopper', password: 'Trace-me-please-1' }),
  });
  expect(res.status).toBe(201);
  await smtp.waitForMail((mail) => mail.to.includes(email), 30_000);

  const byId = (spans: ReceivedSpan[]) => new Map(spans.map((span) => [span.spanId, span]));
  const chain = await waitFor(
    () => {
      const spans = receiver.spans;
      const consumer = spans.find(
        (s) => s.service === 'notification-service' && s.kind === CONSUMER && JSON.stringify(s.attributes).includes('user.created'),
      );
      if (!consumer) return undefined;
      // Walk up the parents from the consumer span to the root of its trace.
      const index = byId(spans);
      const path: ReceivedSpan[] = [consumer];
      for (let span = consumer; span.parentSpanId; ) {
        const parent = index.get(span.parentSpanId);
        if (!parent) return undefined;
        path.unshift(parent);
        span = parent;
      }
      return path;
    },
    { timeoutMs: 30_000, description: 'a complete span chain ending in the notification consumer' },
  );

  expect(new Set(chain.map((span) => span.traceId)).size).toBe(1);
  const services = chain.map((span) => span.service);
  // The root is the gateway's server span, the user-service's server span comes later, the producer span
  // is user-service's (the relay), and the consumer is notification-service's.
  expect(chain[0]).toMatchObject({ service: 'api-gateway', kind: SERVER });
  expect(chain.some((span) => span.service === 'user-service' && span.kind === SERVER)).toBe(true);
  const producer = chain.find((span) => span.kind === PRODUCER);
  expect(producer?.service).toBe('user-service');
  expect(services.indexOf('user-service')).toBeGreaterThan(0);
  expect(services.at(-1)).toBe('notification-service');
});
