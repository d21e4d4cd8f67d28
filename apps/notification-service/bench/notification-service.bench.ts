/**
 * notification-service benchmark — `npx nx run notification-service:bench` (builds first).
 *
 * Starts the real service (production build, LOG_LEVEL=warn) on a fresh database and vhost, with a local
 * SMTP sink, and measures:
 *   1. baseline: raw amqplib, confirm-channel publish → consume (manual ack) of N persistent 500 B messages;
 *   2. throughput: N user.created events published at once → events/s until all N notifications are recorded;
 *   3. latency: events at a steady 100/s → publish-to-recorded p50/p99.
 * Prints a table and writes apps/notification-service/bench/results.json. Options (env): BENCH_EVENTS (5000),
 * BENCH_LATENCY_EVENTS (1000), BENCH_PREFETCH (100).
 */
import { connect } from 'amqplib';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { routingKeyOfEvent, USER_EVENTS_EXCHANGE, userEventFixtures } from '@platform/event-contracts';
import {
  createTestDatabase,
  createTestVhost,
  freePort,
  requireInfrastructure,
  startProcess,
  waitFor,
  type RunningProcess,
  type TestDatabase,
  type TestVhost,
} from '@platform/testing';

const root = path.resolve(__dirname, '../../..');
const N = Number(process.env['BENCH_EVENTS'] ?? 5_000);
const LATENCY_EVENTS = Number(process.env['BENCH_LATENCY_EVENTS'] ?? 1_000);
const PREFETCH = Number(process.env['BENCH_PREFETCH'] ?? 100);
const LATENCY_RATE = 100;

function createdEvent(): { eventId: string; body: Buffer; routingKey: string; correlationId: string } {
  const userId = globalThis.crypto.randomUUID();
  const event = {
    ...userEventFixtures.created,
    eventId: globalThis.crypto.randomUUID(),
    aggregateId: userId,
    correlationId: `bench-${userId.slice(0, 8)}`,
    occurredAt: new Date().toISOString(),
    payload: { ...userEventFixtures.created.payload, userId, email: `u.${userId.slice(0, 8)}@example.com` },
  };
  return { eventId: event.eventId, body: Buffer.from(JSON.stringify(event)), routingKey: String(routingKeyOfEvent(event)), correlationId: event.correlationId };
}

/** Accepts and discards mail, cheaply (no parsing): the service's sender runs as in production. */
async function startSmtpSink(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, received: () => received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function baseline(url: string): Promise<number> {
  const model = await connect(url);
  const publish = await model.createConfirmChannel();
  const consume = await model.createChannel();
  const queue = 'bench.baseline';
  await consume.assertQueue(queue, { durable: true });
  await consume.prefetch(PREFETCH);
  const body = Buffer.alloc(500, 'x');
  let consumed = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  await consume.consume(queue, (message) => {
    if (!message) return;
    consume.ack(message);
    if (++consumed === N) done();
  });
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    if (!publish.publish('', queue, body, { persistent: true, messageId: String(i) })) await new Promise((r) => publish.once('drain', r));
  }
  await publish.waitForConfirms();
  await all;
  const seconds = (performance.now() - started) / 1000;
  await model.close();
  return N / seconds;
}

async function count(db: Client): Promise<number> {
  return Number((await db.query('SELECT count(*) AS n FROM notifications')).rows[0].n);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  await requireInfrastructure(['postgres', 'rabbitmq']);
  let database: TestDatabase | undefined;
  let vhost: TestVhost | undefined;
  let service: RunningProcess | undefined;
  const sink = await startSmtpSink();
  try {
    database = await createTestDatabase('notification_bench');
    execFileSync(path.join(root, 'node_modules/.bin/prisma'), ['migrate', 'deploy', '--config', 'apps/notification-service/prisma.config.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: database.url },
      stdio: 'ignore',
    });
    vhost = await createTestVhost('notification-bench');

    process.stderr.write(`baseline: raw amqplib publish → consume of ${N} messages…\n`);
    const baselineRate = await baseline(vhost.url);

    const port = await freePort();
    service = await startProcess({
      name: 'notification-service',
      command: process.execPath,
      args: [path.join(root, 'dist/apps/notification-service/main.js')],
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: database.url,
        RABBITMQ_URL: vhost.url,
        SMTP_URL: sink.url,
        CONSUMER_PREFETCH: String(PREFETCH),
      },
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
    });

    const model = await connect(vhost.url);
    const channel = await model.createConfirmChannel();
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const publish = async (event: ReturnType<typeof createdEvent>) => {
      if (!channel.publish(USER_EVENTS_EXCHANGE, event.routingKey, event.body, { persistent: true, messageId: event.eventId, correlationId: event.correlationId, contentType: 'application/json' })) {
        await new Promise((r) => channel.once('drain', r));
      }
    };

    process.stderr.write(`throughput: ${N} events through the service…\n`);
    const events = Array.from({ length: N }, createdEvent);
    const started = performance.now();
    for (const event of events) await publish(event);
    await channel.waitForConfirms();
    const publishedAfterMs = performance.now() - started;
    await waitFor(async () => (await count(db)) >= N, { timeoutMs: 600_000, intervalMs: 20, description: `${N} notifications` });
    const serviceSeconds = (performance.now() - started) / 1000;
    const serviceRate = N / serviceSeconds;
    await waitFor(() => sink.received() >= N, { timeoutMs: 600_000, intervalMs: 50, description: 'every mail sent' });
    const allSentSeconds = (performance.now() - started) / 1000;

    process.stderr.write(`latency: ${LATENCY_EVENTS} events at ${LATENCY_RATE}/s…\n`);
    const publishedAt = new Map<string, number>();
    const latencyStart = Date.now();
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const due = latencyStart + (i * 1000) / LATENCY_RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const event = createdEvent();
      publishedAt.set(event.eventId, Date.now());
      await publish(event);
    }
    await channel.waitForConfirms();
    await waitFor(async () => (await count(db)) >= N + LATENCY_EVENTS, { timeoutMs: 120_000, intervalMs: 20, description: 'latency events' });
    // processed_at is stamped by the service when it handles the event, just before its transaction commits.
    const rows = (await db.query('SELECT event_id, processed_at FROM processed_events WHERE event_id = ANY($1::uuid[])', [[...publishedAt.keys()]])).rows as Array<{ event_id: string; processed_at: Date }>;
    const latencies = rows.map((row) => row.processed_at.getTime() - (publishedAt.get(row.event_id) ?? 0)).sort((a, b) => a - b);
    await db.end();
    await model.close();

    const results = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      settings: { events: N, latencyEvents: LATENCY_EVENTS, latencyRatePerSecond: LATENCY_RATE, prefetch: PREFETCH, messageBytes: events[0].body.length },
      baselineAmqplibMessagesPerSecond: Math.round(baselineRate),
      serviceEventsPerSecond: Math.round(serviceRate),
      ratioToBaseline: Number((serviceRate / baselineRate).toFixed(2)),
      goalRatio: 0.5,
      publishSeconds: Number((publishedAfterMs / 1000).toFixed(2)),
      recordSeconds: Number(serviceSeconds.toFixed(2)),
      allMailsSentSeconds: Number(allSentSeconds.toFixed(2)),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) },
    };
    writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const table = [
      ['measure', 'value'],
      ['raw amqplib publish→consume', `${results.baselineAmqplibMessagesPerSecond} msg/s`],
      [`service: ${N} events recorded`, `${results.serviceEventsPerSecond} events/s (${results.recordSeconds} s)`],
      ['ratio to baseline (goal ≥ 0.5)', `${results.ratioToBaseline}`],
      [`all ${N} mails sent (SMTP sink)`, `${results.allMailsSentSeconds} s after the first publish`],
      [`publish→recorded at ${LATENCY_RATE}/s, p50 / p99 / max`, `${results.latencyMs.p50} / ${results.latencyMs.p99} / ${results.latencyMs.max} ms`],
    ];
    const width = Math.max(...table.map(([label]) => label.length));
    process.stdout.write(`\n${table.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n\nwritten: apps/notification-service/bench/results.json\n`);
  } finally {
    if (service) {
      await service.stop();
      const problems = service.lines.filter((line) => /"level":"(warn|error)"/.test(line));
      if (problems.length > 0) process.stderr.write(`service warnings/errors (${problems.length}):\n${problems.slice(0, 5).join('\n')}\n`);
    }
    await sink.close();
    await vhost?.dispose().catch(() => undefined);
    await database?.dispose().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
