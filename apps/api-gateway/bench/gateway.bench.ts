/**
 * api-gateway benchmark — `npx nx run api-gateway:bench` (builds the gateway and user-service first).
 *
 * GET /api/users/:id with a valid bearer token, user-service answering from its Redis cache, measured with
 * wrk (-t1 -c50, 10 s) in one run against:
 *   direct    user-service itself (GET /users/:id)
 *   nginx     nginx as a keep-alive reverse proxy (Debian package, own config in a temp dir)
 *   gateway   the api-gateway production build (LOG_LEVEL=warn, rate limit on but never reached)
 *   floor     bench/reference-proxy.mjs: a bare node:http proxy with none of the gateway's work
 * after a warm-up, in 3 interleaved rounds per target; medians are reported, plus gateway/nginx (goal 0.8).
 *
 * CPU layout (2 cores): user-service is pinned to core 0, alone (it is the service being fronted, as if on
 * its own host); every proxy and wrk are pinned to core 1. PostgreSQL and Redis are the machine's shared
 * services and stay unpinned. So nginx and the gateway get the same budget: one core, shared with the load
 * generator. Writes apps/api-gateway/bench/results.json. Options (env): BENCH_DURATION_S (10),
 * BENCH_ROUNDS (3), BENCH_CONNECTIONS (50), BENCH_WRK_CPU (1; 0 puts wrk next to user-service instead,
 * so each proxy has a core of its own), BENCH_CPU_PROF (a directory: the gateway runs with `--cpu-prof` and
 * writes its profile there when it exits; profiling slows it down, so read the profile, not the figures).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  createTestVhost,
  freePort,
  median,
  migrateDatabase,
  parseWrkOutput,
  requireInfrastructure,
  requireTool,
  runTool,
  type RunningProcess,
  startProcess,
  workspaceRoot,
  type WrkFigures,
} from '@platform/testing';

const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SERVICE_CPU = '0';
const PROXY_CPU = '1';
/** Where wrk runs: with the proxies (default), or BENCH_WRK_CPU=0 to give each proxy a core of its own. */
const WRK_CPU = process.env['BENCH_WRK_CPU'] ?? PROXY_CPU;
const CPU_PROF_DIR = process.env['BENCH_CPU_PROF'];
const TARGETS = ['direct', 'nginx', 'gateway', 'floor'] as const;
type Target = (typeof TARGETS)[number];

interface RoundResult extends WrkFigures {
  /** CPU time (user + system, from /proc) per request of the proxy's processes (none for direct). */
  proxyCpuUsPerRequest: number;
  /** The same for user-service. */
  serviceCpuUsPerRequest: number;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) consumed so far by these processes and their live children, in µs. */
function cpuMicros(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const children = readFileSyncSafe(`/proc/${pid}/task/${pid}/children`).split(' ').filter(Boolean).map(Number);
    for (const id of [pid, ...children]) {
      // Fields after the ")" of the command name: state is field 3, utime 14 and stime 15 (1-based).
      const stat = readFileSyncSafe(`/proc/${id}/stat`);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    }
  }
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6;
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function wrk(url: string, token: string, durationS: number): Promise<WrkFigures> {
  const args = [
    '-c',
    WRK_CPU,
    'wrk',
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${durationS}s`,
    '--latency',
    '-H',
    `Authorization: Bearer ${token}`,
    url,
  ];
  return parseWrkOutput(await runTool('taskset', args));
}

function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream user_service { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; keepalive_timeout 60s; }
  server {
    listen 127.0.0.1:${port};
    location = /nginx-health { return 200 "ok"; }
    location /api/ {
      proxy_pass http://user_service/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $proxy_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
}

async function main(): Promise<void> {
  await requireInfrastructure(['postgres', 'redis', 'rabbitmq']);
  requireTool('wrk', 'wrk');
  requireTool('nginx', 'nginx');
  requireTool('taskset', 'util-linux');
  if (cpus().length < 2) throw new Error('The benchmark pins to cores 0 and 1: it needs 2 cores');

  const processes: RunningProcess[] = [];
  const nginxDir = mkdtempSync(path.join(tmpdir(), 'gateway-bench-nginx-'));
  const [database, vhost] = await Promise.all([createTestDatabase('gateway_bench_users'), createTestVhost('gateway-bench')]);
  const cleanup = async (): Promise<void> => {
    await Promise.all(processes.map((running) => running.stop('SIGTERM').catch(() => undefined)));
    await Promise.allSettled([database.dispose(), vhost.dispose()]);
    rmSync(nginxDir, { recursive: true, force: true });
  };
  try {
    await migrateDatabase('user-service', database.url);
    const [userPort, gatewayPort, metricsPort, nginxPort, floorPort] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    const redisKeyPrefix = `gateway-bench-${randomBytes(3).toString('hex')}:`;
    const userServiceUrl = `http://127.0.0.1:${userPort}`;
    const pinned = (cpu: string, name: string, args: string[], env: Record<string, string>, readyUrl: string) =>
      startProcess({
        name,
        command: 'taskset',
        args: ['-c', cpu, ...args],
        cwd: workspaceRoot,
        env,
        readyUrl,
        readyTimeoutMs: 60_000,
      }).then((running) => {
        processes.push(running);
        return running;
      });
    /** A production build from dist/, as in a deployment but logging warnings only. */
    const app = (cpu: string, name: string, env: Record<string, string>, readyUrl: string, nodeOptions: string[] = []) =>
      pinned(
        cpu,
        name,
        [process.execPath, ...nodeOptions, path.join(workspaceRoot, `dist/apps/${name}/main.js`)],
        {
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          REDIS_KEY_PREFIX: `${redisKeyPrefix}${name}:`,
          ...env,
        },
        readyUrl,
      );

    const service = await app(
      SERVICE_CPU,
      'user-service',
      {
        PORT: String(userPort),
        DATABASE_URL: database.url,
        RABBITMQ_URL: vhost.url,
        JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        BCRYPT_COST: '4',
      },
      `${userServiceUrl}/health/ready`,
    );

    // A user, its token, and its GET cached in user-service's Redis cache.
    const email = `bench-${randomBytes(3).toString('hex')}@example.com`;
    const password = 'Benchmark password 9';
    const post = (url: string, body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await (await post(`${userServiceUrl}/users`, { email, name: 'Bench', password })).json()) as { id: string };
    const { accessToken } = (await (await post(`${userServiceUrl}/auth/login`, { email, password })).json()) as {
      accessToken: string;
    };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${userServiceUrl}/users/${created.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
      if (res.status !== 200) throw new Error(`GET /users/:id answered ${res.status}`);
    }

    const gateway = await app(
      PROXY_CPU,
      'api-gateway',
      {
        PORT: String(gatewayPort),
        METRICS_PORT: String(metricsPort),
        USER_SERVICE_URL: userServiceUrl,
        NOTIFICATION_SERVICE_URL: userServiceUrl,
        // The general limit is counted in Redis on every request, but set high enough never to answer 429.
        RATE_LIMIT_MAX: '1000000000',
      },
      `http://127.0.0.1:${gatewayPort}/health/live`,
      CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [],
    );
    writeFileSync(path.join(nginxDir, 'nginx.conf'), nginxConfig(nginxDir, nginxPort, userPort));
    const nginx = await pinned(
      PROXY_CPU,
      'nginx',
      ['nginx', '-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf')],
      {},
      `http://127.0.0.1:${nginxPort}/nginx-health`,
    );
    const floor = await pinned(
      PROXY_CPU,
      'floor',
      [process.execPath, path.join(__dirname, 'reference-proxy.mjs')],
      { PORT: String(floorPort), UPSTREAM: userServiceUrl },
      `http://127.0.0.1:${floorPort}/api/health/live`,
    );

    // taskset execs the program, so these are the programs' own pids (nginx's master; its worker is a child).
    const pidOf = {
      service: service.child.pid ?? 0,
      gateway: gateway.child.pid ?? 0,
      nginx: nginx.child.pid ?? 0,
      floor: floor.child.pid ?? 0,
    };
    const urls: Record<Target, string> = {
      direct: `${userServiceUrl}/users/${created.id}`,
      nginx: `http://127.0.0.1:${nginxPort}/api/users/${created.id}`,
      gateway: `http://127.0.0.1:${gatewayPort}/api/users/${created.id}`,
      floor: `http://127.0.0.1:${floorPort}/api/users/${created.id}`,
    };
    const loadBefore = loadavg()[0];
    process.stdout.write(`load average before: ${loadBefore.toFixed(2)} (other work on the machine skews the figures)\n`);
    for (const target of TARGETS) {
      const warm = await wrk(urls[target], accessToken, 3);
      if (warm.non2xx > 0) throw new Error(`${target}: ${warm.non2xx} non-2xx answers during the warm-up`);
    }
    const rounds: Record<Target, RoundResult[]> = { direct: [], nginx: [], gateway: [], floor: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of TARGETS) {
        const proxyPids = target === 'direct' ? [] : [pidOf[target]];
        const [proxyBefore, serviceBefore] = [cpuMicros(proxyPids), cpuMicros([pidOf.service])];
        const result = await wrk(urls[target], accessToken, DURATION_S);
        const perRequest = (before: number, pids: number[]): number =>
          Math.round((cpuMicros(pids) - before) / Math.max(1, result.requests));
        const measured: RoundResult = {
          ...result,
          proxyCpuUsPerRequest: perRequest(proxyBefore, proxyPids),
          serviceCpuUsPerRequest: perRequest(serviceBefore, [pidOf.service]),
        };
        rounds[target].push(measured);
        process.stdout.write(
          `round ${round} ${target.padEnd(8)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  CPU/request: proxy ${measured.proxyCpuUsPerRequest} µs, user-service ${measured.serviceCpuUsPerRequest} µs\n`,
        );
      }
    }

    const medians = Object.fromEntries(
      TARGETS.map((target) => [
        target,
        {
          requestsPerSecond: Math.round(median(rounds[target].map((r) => r.requestsPerSecond))),
          p50Ms: median(rounds[target].map((r) => r.p50Ms)),
          p99Ms: median(rounds[target].map((r) => r.p99Ms)),
          proxyCpuUsPerRequest: median(rounds[target].map((r) => r.proxyCpuUsPerRequest)),
          serviceCpuUsPerRequest: median(rounds[target].map((r) => r.serviceCpuUsPerRequest)),
        },
      ]),
    ) as Record<
      Target,
      { requestsPerSecond: number; p50Ms: number; p99Ms: number; proxyCpuUsPerRequest: number; serviceCpuUsPerRequest: number }
    >;
    const ratio = (a: Target, b: Target): number => Math.round((medians[a].requestsPerSecond / medians[b].requestsPerSecond) * 100) / 100;
    const results = {
      measuredAt: new Date().toISOString(),
      request: 'GET /api/users/:id with a valid bearer token (user-service answers from its Redis cache)',
      tool: `wrk -t1 -c${CONNECTIONS} -d${DURATION_S}s, 3 s warm-up per target, ${ROUNDS} interleaved rounds, medians`,
      layout: {
        'user-service': `core ${SERVICE_CPU}`,
        'gateway, nginx, floor proxy': `core ${PROXY_CPU}`,
        wrk: `core ${WRK_CPU}`,
        'redis, postgres': 'unpinned (shared system services)',
      },
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] },
      medians,
      rounds,
      ratios: {
        gatewayToNginx: ratio('gateway', 'nginx'),
        nginxToDirect: ratio('nginx', 'direct'),
        gatewayToDirect: ratio('gateway', 'direct'),
        floorToNginx: ratio('floor', 'nginx'),
        gatewayToFloor: ratio('gateway', 'floor'),
        gatewayCpuToNginxCpu: Math.round((medians.gateway.proxyCpuUsPerRequest / medians.nginx.proxyCpuUsPerRequest) * 10) / 10,
      },
      goal: { gatewayToNginx: 0.8, met: ratio('gateway', 'nginx') >= 0.8 },
    };
    writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

    process.stdout.write('\ntarget     req/s   p50 ms   p99 ms   proxy CPU µs/req   user-service CPU µs/req\n');
    for (const target of TARGETS) {
      const m = medians[target];
      const cells = [
        target.padEnd(8),
        String(m.requestsPerSecond).padStart(7),
        m.p50Ms.toFixed(2).padStart(8),
        m.p99Ms.toFixed(2).padStart(8),
        String(m.proxyCpuUsPerRequest).padStart(18),
        String(m.serviceCpuUsPerRequest).padStart(25),
      ];
      process.stdout.write(`${cells.join(' ')}\n`);
    }
    process.stdout.write(
      `\ngateway/nginx ${results.ratios.gatewayToNginx} (goal 0.8: ${results.goal.met ? 'met' : 'missed'}), floor/nginx ${results.ratios.floorToNginx}, nginx/direct ${results.ratios.nginxToDirect}, gateway CPU per request = ${results.ratios.gatewayCpuToNginxCpu}× nginx's\n` +
        `written to ${path.relative(workspaceRoot, path.join(__dirname, 'results.json'))}\n`,
    );
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
