/**
 * The fault-drill harness: the whole system as real processes (startSystem: the production builds in dist/ on
 * throwaway databases, vhost and Redis prefix) with a real SMTP server, a paced burst of sign-ups through the
 * gateway, a fault injected mid-burst by a scenario (scenarios.ts), and the tally: created, notified, lost,
 * duplicated, failed requests, time to recover.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { connect } from 'amqplib';
import { Client } from 'pg';
import {
  INFRASTRUCTURE,
  startSystem,
  startTestSmtpServer,
  type ReceivedMail,
  type RunningSystem,
  type SystemApp,
  type SystemOptions,
  type TestSmtpServer,
  percentile,
  round,
  sh,
  sleep,
  waitFor,
  waitForBuilds,
  workspaceRoot,
} from '@platform/testing';

// ---------------------------------------------------------------------------------------------------- HTTP

export interface HttpAnswer {
  /** 0 when no response came (connection error, timeout). */
  status: number;
  /** `error.code` of a JSON error body, or the socket error's code (ECONNRESET, TIMEOUT, …). */
  code?: string;
  body: string;
  ms: number;
}

/** A keep-alive node:http client; `localAddress` (127.x.y.z) gives a request its own client identity. */
export class HttpClient {
  private readonly agent: http.Agent;

  constructor(maxSocketsPerAddress: number) {
    // The agent pools sockets per host, port and local address.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: maxSocketsPerAddress });
  }

  request(
    url: string,
    options: { method?: string; body?: unknown; token?: string; requestId?: string; localAddress?: string; timeoutMs?: number } = {},
  ): Promise<HttpAnswer> {
    const started = performance.now();
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve) => {
      const headers: Record<string, string> = {};
      if (payload !== undefined)
        Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      if (options.requestId) headers['x-request-id'] = options.requestId;
      const req = http.request(url, { method: options.method ?? 'GET', agent: this.agent, localAddress: options.localAddress, headers });
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })),
        options.timeoutMs ?? 30_000,
      );
      req.once('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.once('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, code: errorCode(body), body, ms: performance.now() - started });
        });
        res.once('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          resolve({ status: 0, code: error.code ?? error.message, body, ms: performance.now() - started });
        });
      });
      req.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ status: 0, code: error.code ?? error.message, body: '', ms: performance.now() - started });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export const outcomeOf = (answer: HttpAnswer): string =>
  answer.status === 0 ? String(answer.code) : `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;

// ------------------------------------------------------------------------------------------- sign-up burst

export interface SignupRecord {
  email: string;
  /** Sent as x-request-id: the services' log lines about this sign-up carry it. */
  requestId: string;
  /** ms since the drill started */
  startedAt: number;
  endedAt: number;
  status: number;
  outcome: string;
}

export interface BurstOptions {
  total: number;
  /** Requests in flight at most (default 20). */
  concurrency?: number;
  /** Requests started per second at most (default: as fast as the concurrency allows). */
  ratePerSecond?: number;
  /** Spread the requests over these local addresses (each is a client of its own for the rate limit). */
  clientAddresses?: string[];
}

/** A paced burst of sign-ups through the gateway, each with a unique email; runs in the background. */
export class SignupBurst {
  readonly records: SignupRecord[] = [];
  /** Sign-ups sent and not answered yet: email → start (ms since the drill started). */
  readonly inFlight = new Map<string, number>();
  readonly done: Promise<void>;
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(
    private readonly ctx: DrillContext,
    readonly options: BurstOptions,
  ) {
    this.done = this.run();
  }

  /** Resolves once `count` sign-ups have been answered (or the burst ended). */
  completed(count: number): Promise<void> {
    if (this.records.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private async run(): Promise<void> {
    const { total, concurrency = 20, ratePerSecond, clientAddresses } = this.options;
    const begin = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < total; i = next++) {
        if (ratePerSecond) {
          const wait = begin + (i * 1000) / ratePerSecond - performance.now();
          if (wait > 0) await sleep(wait);
        }
        const record = await this.ctx.signup(clientAddresses?.[i % clientAddresses.length], this.inFlight);
        this.records.push(record);
        for (const waiter of this.waiters.filter((w) => this.records.length >= w.count)) waiter.resolve();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    for (const waiter of this.waiters) waiter.resolve();
  }
}

// ------------------------------------------------------------------------------------- the machine's services

export type SharedService = 'rabbitmq' | 'postgres' | 'redis';

const STOP: Record<SharedService, string> = {
  // Stops the node (the Erlang VM too, a real broker restart) and returns once it is gone.
  rabbitmq: 'rabbitmqctl shutdown',
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main stop -m fast',
  redis: 'redis-cli shutdown nosave',
};

/** True when the service answers a real request (a query, a PING, an AMQP handshake). */
export async function answers(service: SharedService): Promise<boolean> {
  try {
    if (service === 'postgres') {
      const client = new Client({ connectionString: INFRASTRUCTURE.postgres.url, connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return true;
    }
    if (service === 'redis') return (await sh('timeout 2 redis-cli ping')).output.trim() === 'PONG';
    const connection = await connect(INFRASTRUCTURE.rabbitmq.url, { timeout: 2_000 });
    connection.on('error', () => undefined);
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export async function stopService(service: SharedService): Promise<void> {
  const result = await sh(STOP[service]);
  if (await answers(service)) throw new Error(`${service} still answers after \`${STOP[service]}\`: ${result.output.trim()}`);
}

/** Starts the service with the machine's own command (@platform/testing's INFRASTRUCTURE) and waits until it answers. */
export async function startService(service: SharedService, timeoutMs = 120_000): Promise<void> {
  if (await answers(service)) return;
  // Detached, output to a log file: the daemon must not hold our pipes or belong to our process group.
  await sh(`(${INFRASTRUCTURE[service].start}) >>/tmp/drills-${service}.log 2>&1`, { detach: true });
  await waitFor(() => answers(service), { timeoutMs, intervalMs: 250, description: `${service} to answer again` });
}

/** Every shared service up (tools/infra/ensure-services.sh starts any that is down). */
export async function ensureServices(): Promise<void> {
  const result = await sh(`bash ${workspaceRoot}/tools/infra/ensure-services.sh`);
  if (result.code !== 0) throw new Error(`ensure-services failed:\n${result.output}`);
}

/**
 * Others' work on this machine that a stopped shared service would break, as `ps` lines: test runs (jest,
 * nx run …), app processes and load generators that are not ours (not descendants of this process). Orphaned
 * app processes (parent init) are ignored.
 */
async function othersWork(): Promise<string[]> {
  const { output } = await sh('ps -eo pid=,ppid=,args=');
  const processes = output
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .flatMap((match) => (match ? [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] }] : []));
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of processes) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  // An app process whose parent is init is an orphan some finished test run left behind, not someone's work.
  const isWork = (p: { ppid: number; args: string }): boolean =>
    /jest|nx run|\bwrk\b|autocannon/.test(p.args) || (/dist\/apps\/[^/]+\/main\.js/.test(p.args) && p.ppid !== 1);
  return processes.filter((p) => !ours.has(p.pid) && isWork(p)).map((p) => `${p.pid} ${p.args.slice(0, 140)}`);
}

/** Waits (polling every 60 s, up to `maxMinutes`) until no one else's tests or services run; false if they never stop. */
export async function waitForQuietMachine(log: (line: string) => void, maxMinutes = 20): Promise<boolean> {
  const deadline = Date.now() + maxMinutes * 60_000;
  for (;;) {
    const others = await othersWork();
    if (others.length === 0) return true;
    if (Date.now() >= deadline) return false;
    log(
      `  others' tests or services are running (load ${loadavg()[0].toFixed(2)}); waiting 60 s:\n    ${others.slice(0, 4).join('\n    ')}`,
    );
    await sleep(60_000);
  }
}

// ------------------------------------------------------------------------------------------------ drills

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** What a scenario's fault did: when (ms since the drill started), its own figures, checks and story. */
export interface FaultReport {
  faultAt: number;
  /** When the fault was undone (the service restarted, …). */
  restoredAt: number;
  figures: Record<string, string>;
  checks: Check[];
  story: string;
}

export interface Scenario {
  id: number;
  title: string;
  /** The machine's shared service this drill stops: it then waits for a machine free of others' tests. */
  sharedService?: SharedService;
  /** 0 lost and 0 duplicated notifications is this drill's goal. */
  deliveryGoal: boolean;
  env?: SystemOptions['env'];
  burst: BurstOptions;
  /** The fault starts once this many sign-ups have been answered. */
  faultAfter: number;
  /** Injects the fault and undoes it (a stopped shared service is restarted in a finally). The burst goes on meanwhile. */
  inject(ctx: DrillContext, burst: SignupBurst): Promise<FaultReport>;
}

export interface DrillResult {
  id: number;
  title: string;
  ranAt: string;
  state: 'ran' | 'skipped' | 'error';
  error?: string;
  deliveryGoal: boolean;
  sent: number;
  created: number;
  notified: number;
  lost: number;
  duplicated: number;
  /** Duplicates that are the same notification sent twice (same Message-ID), as opposed to two notifications. */
  duplicatedSameMessageId: number;
  /** Sign-ups that got no 201 but were committed anyway (their welcome mail came). */
  notifiedWithout201: number;
  failed: Record<string, number>;
  /** Fault → the first sign-up answered 201 after the last failed one (0: none failed). */
  servingRecoveredMs?: number;
  /** Fault → every created user notified, the outbox published, no notification pending, queue empty. */
  drainedMs?: number;
  deadLettered?: number;
  fault?: FaultReport;
  lostDetails: string[];
  serviceErrors: Record<string, string[]>;
}

export interface DrillContext {
  readonly system: RunningSystem;
  readonly smtp: TestSmtpServer;
  readonly http: HttpClient;
  /** ms since the drill started */
  now(): number;
  log(line: string): void;
  /** Starts an app again (stopped or killed), once dist/ holds a settled build of it. */
  restart(app: SystemApp): Promise<void>;
  /** One sign-up through the gateway with a unique email. */
  signup(localAddress?: string, inFlight?: Map<string, number>): Promise<SignupRecord>;
  /** A signed-up user and an access token (through the gateway). */
  user(): Promise<{ id: string; email: string; password: string; accessToken: string }>;
  /** Polls `url` (every 50 ms) until its answer passes `test`; returns when (ms since the drill started), undefined after `timeoutMs`. */
  waitUntil(url: string, test: (answer: HttpAnswer) => boolean, timeoutMs?: number): Promise<number | undefined>;
}

const WELCOME_SUBJECT = 'Welcome to Platform';
const PASSWORD = 'Drill-Password-1';
/** How long after the burst the backlog may take to drain before undelivered users count as lost. */
const RECOVERY_WINDOW_MS = Number(process.env['DRILL_RECOVERY_WINDOW_MS'] ?? 180_000);

/** Runs one scenario start to end; never throws (a failure is reported in the result). */
export async function runDrill(scenario: Scenario, log: (line: string) => void): Promise<DrillResult> {
  const result: DrillResult = {
    id: scenario.id,
    title: scenario.title,
    ranAt: new Date().toISOString(),
    state: 'ran',
    deliveryGoal: scenario.deliveryGoal,
    sent: 0,
    created: 0,
    notified: 0,
    lost: 0,
    duplicated: 0,
    duplicatedSameMessageId: 0,
    notifiedWithout201: 0,
    failed: {},
    lostDetails: [],
    serviceErrors: {},
  };
  if (scenario.sharedService) {
    log(`  this drill stops the machine's ${scenario.sharedService}: checking that no one else's tests run…`);
    if (!(await waitForQuietMachine(log))) {
      return { ...result, state: 'skipped', error: `others' tests kept running for 20 min: ${scenario.sharedService} was not touched` };
    }
  }
  const smtp = await startTestSmtpServer();
  const httpClient = new HttpClient(64);
  let system: RunningSystem | undefined;
  try {
    await waitForBuilds();
    system = await startSystem({
      smtpUrl: smtp.url,
      name: `drill${scenario.id}`,
      env: {
        ...scenario.env,
        // Every sign-up comes from loopback: neither the general limit nor the per-client concurrency cap on
        // sign-ups may be what the drill measures, nor user-service shedding bcrypt work beyond its queue.
        'api-gateway': { RATE_LIMIT_MAX: '1000000', LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT: '1000', ...scenario.env?.['api-gateway'] },
        'user-service': { BCRYPT_MAX_QUEUED: '1000', ...scenario.env?.['user-service'] },
      },
    });
    const ctx = createContext(system, smtp, httpClient, log);

    // The pipeline works before the fault: one sign-up and its welcome mail.
    const first = await ctx.signup();
    if (first.status !== 201) throw new Error(`the first sign-up answered ${first.outcome}`);
    await smtp.waitForMail((mail) => mail.to.includes(first.email), 30_000);

    const { total, ratePerSecond, concurrency = 20 } = scenario.burst;
    log(
      `  burst: ${total} sign-ups, concurrency ${concurrency}${ratePerSecond ? `, at most ${ratePerSecond}/s` : ''}; fault after ${scenario.faultAfter}`,
    );
    const burst = new SignupBurst(ctx, scenario.burst);
    await burst.completed(scenario.faultAfter);
    const fault = await scenario.inject(ctx, burst);
    result.fault = fault;
    await burst.done;
    const records = [...burst.records, ...(await keepSigningUpUntilServing(ctx, burst.records))];
    log(`  burst over at +${seconds(ctx.now())} s; waiting for the backlog to drain (at most ${RECOVERY_WINDOW_MS / 1000} s)…`);
    const drainedAt = await waitForDrain(ctx, records);
    await sleep(3_000); // a late duplicate still arrives in the tally
    Object.assign(result, tally(records, smtp.mails));
    result.servingRecoveredMs = servingRecovery(records, fault.faultAt);
    result.drainedMs = drainedAt === undefined ? undefined : Math.round(drainedAt - fault.faultAt);
    result.deadLettered = await deadLetters(system);
    result.lostDetails = await diagnoseLost(system, records, smtp.mails);
  } catch (error) {
    result.state = 'error';
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    if (scenario.sharedService) await ensureServices().catch((error: unknown) => log(`  !! ${String(error)}`));
    if (system) {
      result.serviceErrors = serviceErrors(system);
      await system.stop();
    }
    httpClient.close();
    await smtp.close();
  }
  return result;
}

function createContext(system: RunningSystem, smtp: TestSmtpServer, httpClient: HttpClient, log: (line: string) => void): DrillContext {
  const begin = performance.now();
  const runId = randomBytes(3).toString('hex');
  let counter = 0;
  const now = (): number => Math.round(performance.now() - begin);
  const ctx: DrillContext = {
    system,
    smtp,
    http: httpClient,
    now,
    log,
    async restart(app) {
      await waitForBuilds();
      await system.start(app);
    },
    async signup(localAddress, inFlight) {
      const requestId = `drill-${runId}-${++counter}`;
      const email = `${requestId}@example.com`;
      const startedAt = now();
      inFlight?.set(email, startedAt);
      const answer = await httpClient.request(`${system.gatewayUrl}/api/users`, {
        method: 'POST',
        body: { email, name: 'Drill User', password: PASSWORD },
        requestId,
        localAddress,
      });
      inFlight?.delete(email);
      return { email, requestId, startedAt, endedAt: now(), status: answer.status, outcome: outcomeOf(answer) };
    },
    async user() {
      const record = await ctx.signup();
      if (record.status !== 201) throw new Error(`sign-up for a probe user answered ${record.outcome}`);
      const login = await httpClient.request(`${system.gatewayUrl}/api/auth/login`, {
        method: 'POST',
        body: { email: record.email, password: PASSWORD },
      });
      const { accessToken } = JSON.parse(login.body) as { accessToken: string };
      const me = await httpClient.request(`${system.gatewayUrl}/api/users/me`, { token: accessToken });
      const { id } = JSON.parse(me.body) as { id: string };
      return { id, email: record.email, password: PASSWORD, accessToken };
    },
    async waitUntil(url, test, timeoutMs = 60_000) {
      try {
        return await waitFor(async () => test(await httpClient.request(url, { timeoutMs: 1_000 })) && now(), {
          timeoutMs,
          intervalMs: 50,
          description: url,
        });
      } catch {
        return undefined;
      }
    },
  };
  return ctx;
}

/** If the last sign-up failed, goes on signing up (every 250 ms, up to 2 min) until one succeeds. */
async function keepSigningUpUntilServing(ctx: DrillContext, records: SignupRecord[]): Promise<SignupRecord[]> {
  const probes: SignupRecord[] = [];
  const last = (): SignupRecord | undefined => [...records, ...probes].sort((a, b) => a.startedAt - b.startedAt).at(-1);
  const deadline = Date.now() + 120_000;
  while (last()?.status !== 201 && Date.now() < deadline) {
    probes.push(await ctx.signup());
    await sleep(250);
  }
  return probes;
}

function welcomeMailsByRecipient(mails: readonly ReceivedMail[]): Map<string, ReceivedMail[]> {
  const byRecipient = new Map<string, ReceivedMail[]>();
  for (const mail of mails.filter((m) => m.subject === WELCOME_SUBJECT)) {
    for (const to of mail.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), mail]);
  }
  return byRecipient;
}

async function withPg<T>(url: string, query: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await query(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const count = async (url: string, sql: string, params: unknown[] = []): Promise<number> =>
  withPg(url, async (c) => Number((await c.query<{ n: string }>(sql, params)).rows[0].n));

export async function queueDepth(system: RunningSystem, queue: string): Promise<number> {
  const connection = await connect(system.vhost.url, { timeout: 2_000 });
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export const QUEUE = 'notification-service.user-events';

/**
 * Waits until every created user has its welcome mail, the outbox holds nothing unpublished, no notification
 * is pending and the queue is empty; returns when (ms since the drill started), or undefined after the window.
 */
async function waitForDrain(ctx: DrillContext, records: SignupRecord[]): Promise<number | undefined> {
  const created = records.filter((r) => r.status === 201).map((r) => r.email);
  const { users, notifications } = ctx.system.databases;
  try {
    return await waitFor(
      async () => {
        const mails = welcomeMailsByRecipient(ctx.smtp.mails);
        if (!created.every((email) => mails.has(email))) return false;
        const unpublished = await count(users.url, 'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
        const pending = await count(notifications.url, "SELECT count(*) AS n FROM notifications WHERE status = 'pending'");
        const queued = await queueDepth(ctx.system, QUEUE);
        return unpublished === 0 && pending === 0 && queued === 0 && ctx.now();
      },
      { timeoutMs: RECOVERY_WINDOW_MS, intervalMs: 500, description: 'the backlog to drain' },
    );
  } catch {
    return undefined;
  }
}

function tally(records: SignupRecord[], mails: readonly ReceivedMail[]): Partial<DrillResult> {
  const byRecipient = welcomeMailsByRecipient(mails);
  const created = records.filter((r) => r.status === 201);
  const notified = created.filter((r) => byRecipient.has(r.email));
  const duplicates = records.filter((r) => (byRecipient.get(r.email)?.length ?? 0) > 1);
  const failed: Record<string, number> = {};
  for (const r of records.filter((record) => record.status !== 201)) failed[r.outcome] = (failed[r.outcome] ?? 0) + 1;
  return {
    sent: records.length,
    created: created.length,
    notified: notified.length,
    lost: created.length - notified.length,
    duplicated: duplicates.length,
    duplicatedSameMessageId: duplicates.filter((r) => new Set(byRecipient.get(r.email)?.map((m) => m.parsed.messageId)).size === 1).length,
    notifiedWithout201: records.filter((r) => r.status !== 201 && byRecipient.has(r.email)).length,
    failed,
  };
}

function servingRecovery(records: SignupRecord[], faultAt: number): number {
  const after = records.filter((r) => r.startedAt >= faultAt).sort((a, b) => a.startedAt - b.startedAt);
  const lastFailure = after.filter((r) => r.status !== 201).at(-1);
  if (!lastFailure) return 0;
  const firstSuccess = after.find((r) => r.startedAt > lastFailure.startedAt && r.status === 201);
  return firstSuccess ? firstSuccess.endedAt - faultAt : Number.NaN;
}

async function deadLetters(system: RunningSystem): Promise<number | undefined> {
  return queueDepth(system, `${QUEUE}.dlq`).catch(() => undefined);
}

/** Where each lost sign-up (at most 5) got stuck: user row, outbox row, notification row. */
async function diagnoseLost(system: RunningSystem, records: SignupRecord[], mails: readonly ReceivedMail[]): Promise<string[]> {
  const byRecipient = welcomeMailsByRecipient(mails);
  const lost = records.filter((r) => r.status === 201 && !byRecipient.has(r.email)).slice(0, 5);
  return Promise.all(
    lost.map(async ({ email }) => {
      const outbox = await withPg(system.databases.users.url, async (c) => {
        const rows = (
          await c.query("SELECT published_at, attempts, last_error FROM outbox WHERE payload::text LIKE '%' || $1 || '%'", [email])
        ).rows;
        return rows
          .map(
            (row) =>
              `outbox published_at=${String(row.published_at)} attempts=${String(row.attempts)} last_error=${String(row.last_error)}`,
          )
          .join('; ');
      });
      const notification = await withPg(system.databases.notifications.url, async (c) => {
        const rows = (
          await c.query("SELECT status, attempts, last_error FROM notifications WHERE recipient = $1 AND kind = 'welcome'", [email])
        ).rows;
        return rows
          .map((row) => `notification status=${String(row.status)} attempts=${String(row.attempts)} last_error=${String(row.last_error)}`)
          .join('; ');
      });
      return `${email}: ${outbox || 'no outbox row'}; ${notification || 'no notification row'}`;
    }),
  );
}

/** Distinct warn- and error-level log messages per app (with their counts), across restarts. */
function serviceErrors(system: RunningSystem): Record<string, string[]> {
  const apps: SystemApp[] = ['user-service', 'notification-service', 'api-gateway'];
  return Object.fromEntries(
    apps.map((app) => {
      const counts = new Map<string, number>();
      for (const line of system.logs(app)) {
        let message: string | undefined;
        try {
          const entry = JSON.parse(line) as { level?: string; message?: string; err?: { name?: string; code?: string; message?: string } };
          // The error's name, code and first line make the messages distinct (and the report precise).
          const cause = entry.err
            ? ` (${[entry.err.name, entry.err.code, entry.err.message?.split('\n')[0].slice(0, 160)].filter(Boolean).join(': ')})`
            : '';
          if (entry.level === 'error' || entry.level === 'warn') message = `${entry.level}: ${entry.message}${cause}`;
        } catch {
          if (/error/i.test(line)) message = line.slice(0, 160);
        }
        if (message) counts.set(message, (counts.get(message) ?? 0) + 1);
      }
      return [app, [...counts].map(([message, n]) => `${n}× ${message}`)];
    }),
  );
}

// ---------------------------------------------------------------------------------------------- helpers

export const seconds = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? 'n/a' : (ms / 1000).toFixed(1));

/** Latency summary of some answers, e.g. "p50 4 ms, p99 12 ms, max 30 ms (n=120)". */
export function latencySummary(ms: number[]): string {
  if (ms.length === 0) return 'none';
  return `p50 ${round(percentile(ms, 50), 0)} ms, p99 ${round(percentile(ms, 99), 0)} ms, max ${round(Math.max(...ms), 0)} ms (n=${ms.length})`;
}
