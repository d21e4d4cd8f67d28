import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { sleep, waitFor, workspaceRoot } from '@platform/testing';
import { startAbuseSystem, type AbuseSystem, type TestUser } from '../support/abuse-system';
import { errorCodeOf, errorShapeProblem, HttpClient, type RawReply } from '../support/http-client';
import { expectNoSecretExposed } from '../support/leak-check';

/**
 * Drill 6: SIGTERM to user-service under load. A steady mix of sign-ups (slow: bcrypt cost 11) and reads
 * goes through the gateway; mid-load user-service gets SIGTERM. Proven:
 * - every request user-service had accepted before the signal completes (2xx, no reset);
 * - readiness is 503 `shutting_down` during the drain, never 200 again after the signal;
 * - the process exits with code 0 within SHUTDOWN_TIMEOUT_MS;
 * - while it is gone the gateway answers at once with a JSON 502/503, never a 500, never a hang;
 * - after `system.start('user-service')` everything works again;
 * - no accepted sign-up lost its event: every user created gets exactly one welcome mail, and no refused
 *   sign-up created a user.
 */
const SHUTDOWN_TIMEOUT_MS = 15_000;
const LOAD_BEFORE_SIGNAL_MS = 4_000;
const LOAD_WHILE_STOPPED_MS = 2_500;
const LOAD_AFTER_RESTART_MS = 4_000;
/** A request sent this long before the signal has certainly reached user-service (the gateway forwards in ~1 ms). */
const ACCEPTED_MARGIN_MS = 200;
/** After the restart, the gateway's circuit (reset timeout 1 s) needs a moment to close again. */
const RECOVERY_GRACE_MS = 1_500;
const SIGN_UP_WORKERS = 8;
const READ_WORKERS = 4;

interface Sent {
  kind: 'sign-up' | 'read';
  email?: string;
  startedAt: number;
  endedAt?: number;
  reply?: RawReply;
}

let env: AbuseSystem;
let reader: TestUser;

beforeAll(async () => {
  env = await startAbuseSystem({
    name: 'e2e_drill6',
    env: {
      'user-service': { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), BCRYPT_COST: '11' },
      // One client drives all the load: neither its rate limit nor its concurrency cap on sign-ups may be what answers.
      'api-gateway': { RATE_LIMIT_MAX: '100000000', LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT: '1000', CIRCUIT_RESET_TIMEOUT_MS: '1000' },
    },
  });
  reader = await env.createUser('reader');
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

const now = (): number => performance.now();

/**
 * A raw keep-alive connection to user-service: a slow sign-up is sent first; a `GET /health/ready` written
 * later on the same connection (pipelined) is answered by the draining process, because a connection with
 * a request in flight is not closed by the shutdown.
 */
function pipelinedProbe(baseUrl: string, signUpBody: string): { sendReadiness(): void; done: Promise<string> } {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  const host = `${hostname}:${port}`;
  socket.write(
    `POST /users HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(signUpBody)}\r\n\r\n${signUpBody}`,
  );
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  const done = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
    setTimeout(() => {
      socket.destroy();
    }, 20_000).unref();
  });
  return { sendReadiness: () => socket.write(`GET /health/ready HTTP/1.1\r\nHost: ${host}\r\n\r\n`), done };
}

/** One readiness request on a fresh connection: its status, or the connection error's code. */
function readinessOnce(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const histogram = (values: string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};
const outcome = (s: Sent): string =>
  s.reply ? `${s.reply.status || s.reply.failure}${errorCodeOf(s.reply) ? ` ${errorCodeOf(s.reply)}` : ''}` : 'unfinished';
const ok = (s: Sent): boolean => s.reply !== undefined && s.reply.status >= 200 && s.reply.status < 300;

it('user-service drains accepted requests on SIGTERM under load, exits 0 in time, the gateway answers 502/503 meanwhile, and no sign-up loses its event', async () => {
  const { system, secrets } = env;
  const load = new HttpClient(system.gatewayUrl, {
    maxSockets: 64,
    timeoutMs: 20_000,
    onReply: (reply, request) => secrets.recordResponse(`${request.method} ${request.path}`, reply.text),
  });
  const sent: Sent[] = [];
  const inFlight = new Set<Sent>();
  let running = true;

  const send = async (record: Sent, request: () => Promise<RawReply>): Promise<void> => {
    sent.push(record);
    inFlight.add(record);
    record.reply = await request();
    record.endedAt = now();
    inFlight.delete(record);
    // A refused request comes back at once: do not spin.
    if (!ok(record)) await sleep(50);
  };
  let counter = 0;
  const signUpWorker = async (): Promise<void> => {
    while (running) {
      const email = `drill-${process.pid}-${counter++}-${Math.random().toString(16).slice(2, 8)}@example.com`;
      const body = { email, name: 'Drill User', password: secrets.password() };
      await send({ kind: 'sign-up', email, startedAt: now() }, () => load.json('POST', '/api/users', { body }));
    }
  };
  const readWorker = async (): Promise<void> => {
    for (let i = 0; running; i++) {
      const path = i % 2 === 0 ? '/api/users/me' : `/api/users/${reader.id}`;
      await send({ kind: 'read', startedAt: now() }, () => load.json('GET', path, { token: reader.token }));
    }
  };
  const workers = [...Array.from({ length: SIGN_UP_WORKERS }, signUpWorker), ...Array.from({ length: READ_WORKERS }, readWorker)];

  await sleep(LOAD_BEFORE_SIGNAL_MS);

  // The signal, with a pipelined readiness probe on a connection that has a sign-up in flight.
  const oldProcess = system.processes['user-service'];
  const probePassword = secrets.password();
  const probeEmail = `drill-probe-${process.pid}@example.com`;
  const probe = pipelinedProbe(system.userServiceUrl, JSON.stringify({ email: probeEmail, name: 'Probe User', password: probePassword }));
  await sleep(40);
  const atSignal = [...inFlight];
  const signalAt = now();
  oldProcess.child.kill('SIGTERM');

  // Once the process has taken the signal (its first shutdown log line), readiness must never be 200 again:
  // polled on fresh connections until the process is gone, and asked on the probe's busy connection.
  await waitFor(() => oldProcess.lines.some((line) => line.includes('"message":"Shutting down"')), {
    timeoutMs: 5_000,
    intervalMs: 5,
    description: 'user-service logging that it is shutting down',
  });
  const polls: Array<{ at: number; result: string }> = [];
  let exited = false;
  const poller = (async () => {
    while (!exited) {
      polls.push({ at: now() - signalAt, result: await readinessOnce(`${system.userServiceUrl}/health/ready`) });
      await sleep(25);
    }
  })();
  probe.sendReadiness();

  let giveUp: NodeJS.Timeout | undefined;
  const exitCode = await Promise.race([
    oldProcess.exited,
    new Promise<'still running'>((resolve) => (giveUp = setTimeout(() => resolve('still running'), SHUTDOWN_TIMEOUT_MS + 5_000))),
  ]);
  clearTimeout(giveUp);
  const exitAt = now();
  exited = true;
  await poller;

  // Load against a stopped user-service, then the gateway's own readiness, then a restart.
  await sleep(LOAD_WHILE_STOPPED_MS);
  const gatewayReadinessWhileStopped = await readinessOnce(`${system.gatewayMetricsUrl}/health/ready`);
  const restartAt = now();
  const main = path.join(workspaceRoot, 'dist', 'apps', 'user-service', 'main.js');
  await waitFor(() => existsSync(main), { timeoutMs: 60_000, description: `${main} (being rebuilt?)` });
  await system.start('user-service');
  const readyAt = now();
  await sleep(LOAD_AFTER_RESTART_MS);
  running = false;
  await Promise.all(workers);
  load.close();
  const probeText = await probe.done;

  // --- figures -------------------------------------------------------------------------------------
  const phaseOf = (s: Sent): string => {
    if (atSignal.includes(s))
      return s.startedAt <= signalAt - ACCEPTED_MARGIN_MS ? 'accepted, in flight at SIGTERM' : 'just sent at SIGTERM';
    if (s.startedAt < signalAt) return 'before SIGTERM';
    if (s.startedAt < exitAt) return 'during the drain';
    if (s.startedAt < restartAt) return 'while stopped';
    // From the restart until the circuit closed again, either answer is right.
    return s.startedAt < readyAt + RECOVERY_GRACE_MS ? 'restarting' : 'after restart';
  };
  const phases = new Map<string, Sent[]>();
  for (const s of sent) phases.set(phaseOf(s), [...(phases.get(phaseOf(s)) ?? []), s]);
  const of = (phase: string): Sent[] => phases.get(phase) ?? [];
  const accepted = of('accepted, in flight at SIGTERM');
  const exitMs = Math.round(exitAt - signalAt);
  const pollsAfterSignal = polls.map((p) => p.result);
  const probeStatuses = [...probeText.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  console.log(
    [
      `drill 6: ${sent.length} requests (${sent.filter((s) => s.kind === 'sign-up').length} sign-ups, ${sent.filter((s) => s.kind === 'read').length} reads)`,
      `  in flight at SIGTERM: ${atSignal.length} (${atSignal.filter((s) => s.kind === 'sign-up').length} sign-ups), of which accepted (sent ≥ ${ACCEPTED_MARGIN_MS} ms before): ${accepted.length} → ${JSON.stringify(histogram(accepted.map(outcome)))}`,
      `  exit code ${String(exitCode)} after ${exitMs} ms (deadline ${SHUTDOWN_TIMEOUT_MS} ms); restart took ${Math.round(readyAt - restartAt)} ms`,
      `  readiness on fresh connections after SIGTERM: ${JSON.stringify(histogram(pollsAfterSignal))}; pipelined probe on a busy connection: ${JSON.stringify(probeStatuses)}`,
      `  gateway readiness while user-service was stopped: ${gatewayReadinessWhileStopped}`,
      ...[...phases.entries()].map(([phase, list]) => {
        const slowest = Math.max(...list.map((s) => (s.endedAt ?? now()) - s.startedAt));
        return `  ${phase}: ${list.length} → ${JSON.stringify(histogram(list.map(outcome)))} (slowest ${Math.round(slowest)} ms)`;
      }),
    ].join('\n'),
  );

  // --- the drain -------------------------------------------------------------------------------------
  expect(exitCode).toBe(0);
  expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  expect(accepted.filter((s) => s.kind === 'sign-up').length).toBeGreaterThan(0);
  expect(accepted.filter((s) => !ok(s)).map((s) => `${s.kind} ${s.email ?? ''} → ${outcome(s)}`)).toEqual([]);
  // The probe's sign-up (in flight at the signal) completed, and the draining process said it is not ready.
  expect(probeStatuses).toEqual([201, 503]);
  expect(probeText).toContain('"status":"shutting_down"');
  expect(pollsAfterSignal.filter((result) => result === '200')).toEqual([]);

  // --- every answer, by phase ------------------------------------------------------------------------
  const wrong: string[] = [];
  for (const s of sent) {
    const phase = phaseOf(s);
    const reply = s.reply as RawReply;
    const duration = (s.endedAt ?? now()) - s.startedAt;
    if (reply.failure) wrong.push(`${phase}: ${s.kind} got no answer (${reply.failure})`);
    else if (reply.status >= 400 && errorShapeProblem(reply)) wrong.push(`${phase}: ${s.kind} ${reply.status} without the error shape`);
    else if (!ok(s) && ![502, 503].includes(reply.status)) wrong.push(`${phase}: ${s.kind} → ${outcome(s)}`);
    else if (phase === 'while stopped' && (ok(s) || duration > 1_000))
      wrong.push(`${phase}: ${s.kind} → ${outcome(s)} in ${Math.round(duration)} ms`);
    else if (phase === 'after restart' && !ok(s)) wrong.push(`${phase}: ${s.kind} → ${outcome(s)}`);
  }
  expect(wrong).toEqual([]);
  expect(of('while stopped').length).toBeGreaterThan(0);
  expect(of('after restart').filter((s) => s.kind === 'sign-up' && ok(s)).length).toBeGreaterThan(0);
  expect(gatewayReadinessWhileStopped).toBe('503');

  // --- no sign-up lost, none invented ---------------------------------------------------------------
  const signUps = sent.filter((s) => s.kind === 'sign-up');
  const created = [...signUps.filter(ok).map((s) => s.email as string), probeEmail];
  const refused = signUps.filter((s) => !ok(s)).map((s) => s.email as string);
  const db = new Client({ connectionString: system.databases.users.url });
  await db.connect();
  try {
    const stored = await db.query<{ email: string }>('SELECT email FROM users WHERE email = ANY($1)', [[...created, ...refused]]);
    const storedEmails = new Set(stored.rows.map((r) => r.email));
    expect(created.filter((email) => !storedEmails.has(email))).toEqual([]);
    expect(refused.filter((email) => storedEmails.has(email))).toEqual([]);
  } finally {
    await db.end();
  }
  await waitFor(() => created.every((email) => env.smtp.mailsTo(email).length >= 1), {
    timeoutMs: 60_000,
    description: `a welcome mail for each of the ${created.length} users created`,
  });
  await sleep(1_000); // a duplicate would arrive by now
  const mailCounts = histogram(created.map((email) => String(env.smtp.mailsTo(email).length)));
  console.log(
    `drill 6: ${created.length} users created, welcome mails per user: ${JSON.stringify(mailCounts)}; ${refused.length} refused sign-ups, none stored`,
  );
  expect(mailCounts).toEqual({ '1': created.length });
  expect(refused.filter((email) => env.smtp.mailsTo(email).length > 0)).toEqual([]);
}, 120_000);

it('leaks no secret into logs, events, dead letters, outbox rows or responses during the drill', async () => {
  await expectNoSecretExposed(env, [reader.id]);
});
