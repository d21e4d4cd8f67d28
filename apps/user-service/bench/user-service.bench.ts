/**
 * user-service benchmark: `npx nx run user-service:bench` (builds the production bundle first).
 *
 * Starts the real service (dist/apps/user-service/main.js, NODE_ENV=production, LOG_LEVEL=warn, bcrypt cost
 * 12) on a throwaway database, vhost and Redis key prefix, then measures in one run:
 *   1. GET /users/:id on a cache hit vs a minimal Express 5 handler doing one Redis GET of a value of the
 *      same size (goal >= 0.7x). wrk -t1 -c50, 10 s per round, 3 alternating rounds, medians; both servers
 *      pinned to core 0 and wrk to core 1.
 *   2. Sign-ups/s under saturating load vs the bcrypt limit = cores / (time of one cost-12 hash, measured
 *      here in the same run) (goal >= 0.9x).
 *   3. p99 of GET /users/:id at a fixed 200 req/s while sign-ups saturate the service vs the same load idle
 *      (goal <= 3x).
 * Prints a table and writes the figures to apps/user-service/bench/results.json. BENCH_PARTS=1,3 runs only
 * some parts (while iterating).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { Redis } from 'ioredis';
import { exportPKCS8, generateKeyPair } from 'jose';
import {
  createTestDatabase,
  createTestVhost,
  freePort,
  INFRASTRUCTURE,
  median,
  migrateDatabase,
  parseWrkOutput,
  requireInfrastructure,
  requireTool,
  round,
  runTool,
  type RunningProcess,
  sleep,
  startProcess,
  workspaceRoot,
} from '@platform/testing';

const here = path.join(workspaceRoot, 'apps/user-service/bench');
const mainJs = path.join(workspaceRoot, 'dist/apps/user-service/main.js');
const ROUNDS = 3;
const ROUND_SECONDS = 10;
const PASSWORD = 'Bench-Password-1';
const PARTS = new Set((process.env['BENCH_PARTS'] ?? '1,2,3').split(',').map(Number));

interface WrkResult {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function wrk(args: string[], options: { cpu?: string } = {}): Promise<WrkResult> {
  const output = options.cpu ? await runTool('taskset', ['-c', options.cpu, 'wrk', ...args]) : await runTool('wrk', args);
  const figures = parseWrkOutput(output);
  return { rps: figures.requestsPerSecond, p99Ms: figures.p99Ms, non2xx: figures.non2xx, errors: figures.socketErrors };
}

/** Fixed-rate load (open loop), so latency is not hidden by a slower request rate. */
async function autocannonP99(url: string, token: string, seconds: number): Promise<{ p99Ms: number; rps: number; non2xx: number }> {
  const stdout = await runTool(path.join(workspaceRoot, 'node_modules/.bin/autocannon'), [
    '-c',
    '10',
    '-R',
    '200',
    '-d',
    String(seconds),
    '-j',
    '-H',
    `Authorization=Bearer ${token}`,
    url,
  ]);
  const result = JSON.parse(stdout) as { latency: { p99: number }; requests: { average: number }; non2xx: number };
  return { p99Ms: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx };
}

const pin = (pid: number, cpus: string) => runTool('taskset', ['-a', '-cp', cpus, String(pid)]);

/** Cost-12 hashes per second this process achieves with 4 in flight (libuv's pool size) for `seconds`. */
async function concurrentHashRate(seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  let hashes = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < until) {
        await bcrypt.hash(PASSWORD, 12);
        hashes++;
      }
    }),
  );
  return hashes / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run through \`npx nx run user-service:bench\` (it builds first)`);
  await requireInfrastructure(['postgres', 'redis', 'rabbitmq']);
  requireTool('wrk', 'wrk');
  requireTool('taskset', 'util-linux');
  const cores = os.cpus().length;
  const suffix = randomBytes(4).toString('hex');
  const redisPrefix = `user-service-bench:${suffix}:`;
  const database = await createTestDatabase('user_service_bench');
  const vhost = await createTestVhost('user-service-bench');
  const redis = new Redis(INFRASTRUCTURE.redis.url);
  const processes: RunningProcess[] = [];
  try {
    await migrateDatabase('user-service', database.url);
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const port = await freePort();
    const service = await startProcess({
      name: 'user-service',
      command: process.execPath,
      args: [mainJs],
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        BCRYPT_COST: '12',
        // The sign-up benchmark keeps 16 in flight: room for all of them, so it measures throughput, not shedding.
        BCRYPT_MAX_QUEUED: '64',
        DATABASE_URL: database.url,
        RABBITMQ_URL: vhost.url,
        REDIS_URL: INFRASTRUCTURE.redis.url,
        REDIS_KEY_PREFIX: redisPrefix,
        JWT_PRIVATE_KEY: await exportPKCS8(privateKey),
        ADMIN_EMAIL: undefined,
        ADMIN_PASSWORD: undefined,
      },
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
      readyTimeoutMs: 60_000,
    });
    processes.push(service);
    const base = `http://127.0.0.1:${port}`;
    const post = (route: string, body: object) =>
      fetch(`${base}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) =>
        r.json(),
      );
    const user = (await post('/users', { email: `bench-${suffix}@bench.example.com`, name: 'Bench Reader', password: PASSWORD })) as {
      id: string;
    };
    const { accessToken } = (await post('/auth/login', { email: `bench-${suffix}@bench.example.com`, password: PASSWORD })) as {
      accessToken: string;
    };
    const userUrl = `${base}/users/${user.id}`;
    const warm = await fetch(userUrl, { headers: { Authorization: `Bearer ${accessToken}` } });
    if (warm.status !== 200) throw new Error(`GET answered ${warm.status}`);
    const cached = await redis.get(`${redisPrefix}user:${user.id}`);
    if (!cached) throw new Error('the user is not in the cache after a read');

    // The baseline serves a value of the same size from Redis.
    const baselineKey = `${redisPrefix}baseline`;
    await redis.set(baselineKey, JSON.stringify({ padding: 'x'.repeat(Math.max(0, cached.length - 14)) }));
    const baselinePort = await freePort();
    const baseline = await startProcess({
      name: 'baseline',
      command: process.execPath,
      args: [path.join(here, 'baseline-server.mjs')],
      env: { PORT: String(baselinePort), REDIS_URL: INFRASTRUCTURE.redis.url, BASELINE_KEY: baselineKey },
      readyUrl: `http://127.0.0.1:${baselinePort}/health/ready`,
    });
    processes.push(baseline);

    // 1. cache hit vs baseline, servers on core 0, wrk on core 1.
    const rounds: Array<{ service: WrkResult; baseline: WrkResult }> = [];
    if (PARTS.has(1)) {
      log(`1/3 GET /users/:id (cache hit) vs baseline: ${ROUNDS} rounds x ${ROUND_SECONDS} s each`);
      await pin(service.child.pid as number, '0');
      await pin(baseline.child.pid as number, '0');
      const getArgs = (url: string, auth: boolean) => [
        '-t1',
        '-c50',
        `-d${ROUND_SECONDS}s`,
        '--latency',
        ...(auth ? ['-H', `Authorization: Bearer ${accessToken}`] : []),
        url,
      ];
      await wrk(['-t1', '-c50', '-d3s', '-H', `Authorization: Bearer ${accessToken}`, userUrl], { cpu: '1' }); // warm-up (JIT)
      await wrk(['-t1', '-c50', '-d3s', `http://127.0.0.1:${baselinePort}/users/${user.id}`], { cpu: '1' });
      for (let round = 0; round < ROUNDS; round++) {
        const serviceResult = await wrk(getArgs(userUrl, true), { cpu: '1' });
        const baselineResult = await wrk(getArgs(`http://127.0.0.1:${baselinePort}/users/${user.id}`, false), { cpu: '1' });
        rounds.push({ service: serviceResult, baseline: baselineResult });
        log(`   round ${round + 1}: service ${Math.round(serviceResult.rps)} req/s, baseline ${Math.round(baselineResult.rps)} req/s`);
      }
      await pin(service.child.pid as number, `0-${cores - 1}`);
    }
    await baseline.stop();
    const getServiceRps = median(rounds.map((r) => r.service.rps));
    const getBaselineRps = median(rounds.map((r) => r.baseline.rps));

    // 2. sign-ups/s vs the bcrypt limit = cores / one cost-12 hash, timed here, now. For context, also what
    //    this process gets from concurrent hashes right now (other load on the machine lowers it).
    const signupArgs = (seconds: number, runId: string) => [
      ...['-t2', '-c16', `-d${seconds}s`, '--timeout', '20s'],
      ...['-s', path.join(here, 'signup.lua'), base, '--', runId],
    ];
    let hashMs = NaN;
    let parallelHashesPerSecond = NaN;
    let signups: WrkResult = { rps: NaN, p99Ms: NaN, non2xx: 0, errors: 0 };
    if (PARTS.has(2)) {
      log('2/3 sign-ups/s vs the bcrypt limit');
      const hashTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await bcrypt.hash(PASSWORD, 12);
        hashTimes.push(performance.now() - started);
      }
      hashMs = median(hashTimes);
      parallelHashesPerSecond = await concurrentHashRate(8);
      signups = await wrk(signupArgs(20, `${suffix}a`));
    }
    const bcryptLimit = cores / (hashMs / 1000);

    // 3. GET p99 at a fixed rate: idle, then while sign-ups saturate the service.
    let idle = { p99Ms: NaN, rps: NaN, non2xx: 0 };
    let loaded = idle;
    let loadResult: WrkResult = { rps: NaN, p99Ms: NaN, non2xx: 0, errors: 0 };
    if (PARTS.has(3)) {
      log('3/3 GET p99 at 200 req/s: idle, then during saturating sign-ups');
      idle = await autocannonP99(userUrl, accessToken, ROUND_SECONDS);
      const load = wrk(signupArgs(ROUND_SECONDS + 6, `${suffix}b`));
      await sleep(3_000);
      loaded = await autocannonP99(userUrl, accessToken, ROUND_SECONDS);
      loadResult = await load;
    }

    const results = {
      measuredAt: new Date().toISOString(),
      machine: { cores, node: process.version, cpu: os.cpus()[0]?.model },
      getCacheHit: {
        tool: `wrk -t1 -c50, ${ROUNDS} rounds x ${ROUND_SECONDS} s, servers on core 0, wrk on core 1`,
        rounds: rounds.map((r) => ({
          serviceRps: Math.round(r.service.rps),
          baselineRps: Math.round(r.baseline.rps),
          serviceP99Ms: r.service.p99Ms,
          baselineP99Ms: r.baseline.p99Ms,
        })),
        serviceRps: Math.round(getServiceRps),
        baselineRps: Math.round(getBaselineRps),
        ratio: round(getServiceRps / getBaselineRps),
        goal: '>= 0.7',
        met: getServiceRps / getBaselineRps >= 0.7,
        non2xx: rounds.reduce((sum, r) => sum + r.service.non2xx + r.baseline.non2xx, 0),
      },
      signup: {
        tool: 'wrk -t2 -c16 -d20s POST /users (unique emails)',
        bcryptCost: 12,
        bcryptHashMs: round(hashMs),
        bcryptLimitPerSecond: round(bcryptLimit),
        concurrentHashesPerSecondMeasured: round(parallelHashesPerSecond),
        ratioToMeasuredConcurrentHashes: round(signups.rps / parallelHashesPerSecond),
        signupsPerSecond: round(signups.rps),
        ratio: round(signups.rps / bcryptLimit),
        goal: '>= 0.9',
        met: signups.rps / bcryptLimit >= 0.9,
        non2xx: signups.non2xx,
        socketErrors: signups.errors,
      },
      getP99UnderSignupLoad: {
        tool: 'autocannon -c10 -R200 (fixed rate) for 10 s; load: wrk -t2 -c16 POST /users',
        idleP99Ms: idle.p99Ms,
        loadedP99Ms: loaded.p99Ms,
        ratio: round(loaded.p99Ms / Math.max(idle.p99Ms, 1)),
        goal: '<= 3',
        met: loaded.p99Ms / Math.max(idle.p99Ms, 1) <= 3,
        signupsPerSecondDuringLoad: round(loadResult.rps),
        non2xx: idle.non2xx + loaded.non2xx + loadResult.non2xx,
      },
    };
    writeFileSync(path.join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    printTable(results);
  } finally {
    for (const child of processes.reverse()) await child.stop().catch(() => undefined);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await vhost.dispose().catch(() => undefined);
    await database.dispose().catch(() => undefined);
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function printTable(r: {
  getCacheHit: { serviceRps: number; baselineRps: number; ratio: number; met: boolean };
  signup: { signupsPerSecond: number; bcryptLimitPerSecond: number; bcryptHashMs: number; ratio: number; met: boolean };
  getP99UnderSignupLoad: { loadedP99Ms: number; idleP99Ms: number; ratio: number; met: boolean };
}): void {
  const rows = [
    ['measure', 'user-service', 'reference', 'ratio', 'goal', 'met'],
    [
      'GET /users/:id cache hit (req/s)',
      r.getCacheHit.serviceRps,
      `${r.getCacheHit.baselineRps} (Express+Redis GET)`,
      r.getCacheHit.ratio,
      '>= 0.7',
      r.getCacheHit.met,
    ],
    [
      'sign-ups/s (bcrypt cost 12)',
      r.signup.signupsPerSecond,
      `${r.signup.bcryptLimitPerSecond} (cores / ${r.signup.bcryptHashMs} ms)`,
      r.signup.ratio,
      '>= 0.9',
      r.signup.met,
    ],
    [
      'GET p99 during sign-ups (ms)',
      r.getP99UnderSignupLoad.loadedP99Ms,
      `${r.getP99UnderSignupLoad.idleP99Ms} (idle)`,
      r.getP99UnderSignupLoad.ratio,
      '<= 3',
      r.getP99UnderSignupLoad.met,
    ],
  ].map((row) => row.map(String));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  log('');
  for (const row of rows) log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  log(`\nwritten to ${path.relative(workspaceRoot, path.join(here, 'results.json'))}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
