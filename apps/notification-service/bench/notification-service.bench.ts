/**
 * notification-service benchmark — `npx nx run notification-service:bench` (builds first).
 *
 * Starts the real service (production build, LOG_LEVEL=warn) on a fresh database and vhost, with a local
 * SMTP sink, and measures:
 *   1. baseline: raw amqplib, confirm-channel publish → consume (manual ack) of N persistent 500 B messages;
 *   2. throughput: N user.created events published at once → events/s until all N notifications are recorded;
 *      (1 and 2 alternate for BENCH_ROUNDS rounds after a warm-up of both; medians are reported)
 *   3. latency: events at a steady 100/s → publish-to-recorded p50/p99, beside raw amqplib publish → consume
 *      at the same rate (the baseline).
 * Prints a table and writes apps/notification-service/bench/results.json. Options (env): BENCH_EVENTS (5000),
 * BENCH_LATENCY_EVENTS (1000), BENCH_PREFETCH (100), BENCH_ROUNDS (3), BENCH_WARMUP_EVENTS (500).
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
  median,
  percentile,
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
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const WARMUP_EVENTS = Number(process.env['BENCH_WARMUP_EVENTS'] ?? 500);
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
  return {
    eventId: event.eventId,
    body: Buffer.from(JSON.stringify(event)),
    routingKey: String(routingKeyOfEvent(event)),
    correlationId: event.correlationId,
  };
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
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function baseline(url: string, n: number): Promise<number> {
  const model = await connect(url, { noDelay: true }); // as the service's own connection: without it Nagle adds ~40 ms
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
    if (++consumed === n) done();
  });
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    if (!publish.publish('', queue, body, { persistent: true, messageId: String(i) })) await new Promise((r) => publish.once('drain', r));
  }
  await publish.waitForConfirms();
  await all;
  const seconds = (performance.now() - started) / 1000;
  await consume.deleteQueue(queue);
  await model.close();
  return n / seconds;
}

/** Baseline of the latency figure: raw amqplib publish → consume of persistent 500 B messages at LATENCY_RATE/s. */
async function baselineLatency(url: string): Promise<number[]> {
  const model = await connect(url, { noDelay: true }); // as the service's own connection: without it Nagle adds ~40 ms
  const publish = await model.createConfirmChannel();
  const consume = await model.createChannel();
  const queue = 'bench.baseline.latency';
  await consume.assertQueue(queue, { durable: true });
  await consume.prefetch(PREFETCH);
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  await consume.consume(queue, (message) => {
    if (!message) return;
    latencies.push(Date.now() - (publishedAt.get(String(message.properties.messageId)) ?? 0));
    consume.ack(message);
  });
  const body = Buffer.alloc(500, 'x');
  const start = Date.now();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const wait = start + (i * 1000) / LATENCY_RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    publishedAt.set(String(i), Date.now());
    publish.publish('', queue, body, { persistent: true, messageId: String(i) });
  }
  await publish.waitForConfirms();
  await waitFor(() => latencies.length >= LATENCY_EVENTS, { timeoutMs: 60_000, description: 'baseline latency messages' });
  await consume.deleteQueue(queue);
  await model.close();
  return latencies.sort((a, b) => a - b);
}

async function count(db: Client): Promise<number> {
  return Number((await db.query('SELECT count(*) AS n FROM notifications')).rows[0].n);
}

async function main(): Promise<void> {
  await requireInfrastructure(['postgres', 'rabbitmq']);
  let database: TestDatabase | undefined;
  let vhost: TestVhost | undefined;
  let service: RunningProcess | undefined;
  const sink = await startSmtpSink();
  try {
    database = await createTestDatabase('notification_bench');
    execFileSync(
      path.join(root, 'node_modules/.bin/prisma'),
      ['migrate', 'deploy', '--config', 'apps/notification-service/prisma.config.ts'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.url },
        stdio: 'ignore',
      },
    );
    vhost = await createTestVhost('notification-bench');

    process.stderr.write(`warm-up: raw amqplib publish → consume of ${WARMUP_EVENTS} messages…\n`);
    await baseline(vhost.url, WARMUP_EVENTS);

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

    const model = await connect(vhost.url, { noDelay: true });
    const channel = await model.createConfirmChannel();
    const db = new Client({ connectionString: database.url });
    await db.connect();
    const publish = async (event: ReturnType<typeof createdEvent>) => {
      if (
        !channel.publish(USER_EVENTS_EXCHANGE, event.routingKey, event.body, {
          persistent: true,
          messageId: event.eventId,
          correlationId: event.correlationId,
          contentType: 'application/json',
        })
      ) {
        await new Promise((r) => channel.once('drain', r));
      }
    };

    /** Publishes n events at once; resolves when all are recorded and every mail is sent. */
    let recorded = 0;
    const throughput = async (n: number) => {
      const events = Array.from({ length: n }, createdEvent);
      recorded += n;
      const started = performance.now();
      for (const event of events) await publish(event);
      await channel.waitForConfirms();
      const publishSeconds = (performance.now() - started) / 1000;
      await waitFor(async () => (await count(db)) >= recorded, { timeoutMs: 600_000, intervalMs: 20, description: `${n} notifications` });
      const recordSeconds = (performance.now() - started) / 1000;
      await waitFor(() => sink.received() >= recorded, { timeoutMs: 600_000, intervalMs: 50, description: 'every mail sent' });
      return {
        eventsPerSecond: n / recordSeconds,
        publishSeconds,
        recordSeconds,
        allSentSeconds: (performance.now() - started) / 1000,
        messageBytes: events[0].body.length,
      };
    };
    process.stderr.write(`warm-up: ${WARMUP_EVENTS} events through the service…\n`);
    await throughput(WARMUP_EVENTS);
    const rounds: Array<{
      baselineMessagesPerSecond: number;
      serviceEventsPerSecond: number;
      publishSeconds: number;
      recordSeconds: number;
      allMailsSentSeconds: number;
    }> = [];
    let messageBytes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}: raw amqplib, then ${N} events through the service…\n`);
      const baselineMessagesPerSecond = await baseline(vhost.url, N);
      const service = await throughput(N);
      messageBytes = service.messageBytes;
      rounds.push({
        baselineMessagesPerSecond: Math.round(baselineMessagesPerSecond),
        serviceEventsPerSecond: Math.round(service.eventsPerSecond),
        publishSeconds: Number(service.publishSeconds.toFixed(2)),
        recordSeconds: Number(service.recordSeconds.toFixed(2)),
        allMailsSentSeconds: Number(service.allSentSeconds.toFixed(2)),
      });
    }
    const baselineRate = median(rounds.map((r) => r.baselineMessagesPerSecond));
    const serviceRate = median(rounds.map((r) => r.serviceEventsPerSecond));

    process.stderr.write(`latency baseline: raw amqplib at ${LATENCY_RATE}/s…\n`);
    const baselineLatencies = await baselineLatency(vhost.url);

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
    await waitFor(async () => (await count(db)) >= recorded + LATENCY_EVENTS, {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: 'latency events',
    });
    // processed_at is stamped by the service when it handles the event, just before its transaction commits.
    const rows = (
      await db.query('SELECT event_id, processed_at FROM processed_events WHERE event_id = ANY($1::uuid[])', [[...publishedAt.keys()]])
    ).rows as Array<{ event_id: string; processed_at: Date }>;
    const latencies = rows.map((row) => row.processed_at.getTime() - (publishedAt.get(row.event_id) ?? 0)).sort((a, b) => a - b);
    await db.end();
    await model.close();

    const results = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      settings: {
        events: N,
        rounds: ROUNDS,
        warmupEvents: WARMUP_EVENTS,
        latencyEvents: LATENCY_EVENTS,
        latencyRatePerSecond: LATENCY_RATE,
        prefetch: PREFETCH,
        messageBytes,
      },
      rounds,
      baselineAmqplibMessagesPerSecond: baselineRate,
      serviceEventsPerSecond: serviceRate,
      ratioToBaseline: Number((serviceRate / baselineRate).toFixed(2)),
      goalRatio: 0.5,
      publishSeconds: median(rounds.map((r) => r.publishSeconds)),
      recordSeconds: median(rounds.map((r) => r.recordSeconds)),
      allMailsSentSeconds: median(rounds.map((r) => r.allMailsSentSeconds)),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) },
      baselineLatencyMs: { p50: percentile(baselineLatencies, 50), p99: percentile(baselineLatencies, 99), max: baselineLatencies.at(-1) },
    };
    writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const table = [
      ['measure', 'value'],
      ['raw amqplib publish→consume', `${results.baselineAmqplibMessagesPerSecond} msg/s`],
      [`service: ${N} events recorded (median of ${ROUNDS})`, `${results.serviceEventsPerSecond} events/s (${results.recordSeconds} s)`],
      ['ratio to baseline (goal ≥ 0.5)', `${results.ratioToBaseline}`],
      [`all ${N} mails sent (SMTP sink)`, `${results.allMailsSentSeconds} s after the first publish`],
      [
        `publish→recorded at ${LATENCY_RATE}/s, p50 / p99 / max`,
        `${results.latencyMs.p50} / ${results.latencyMs.p99} / ${results.latencyMs.max} ms`,
      ],
      [
        `raw amqplib publish→consume at ${LATENCY_RATE}/s, p50 / p99 / max`,
        `${results.baselineLatencyMs.p50} / ${results.baselineLatencyMs.p99} / ${results.baselineLatencyMs.max} ms`,
      ],
    ];
    const width = Math.max(...table.map(([label]) => label.length));
    process.stdout.write(
      `\n${table.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n\nwritten: apps/notification-service/bench/results.json\n`,
    );
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
