/**
 * Cold start to ready and idle RSS of each app (goal: ≤ 1 s and ≤ 100 MB each).
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/startup.ts   (`npm run bench` runs it too)
 *
 * Starts the whole system once with startSystem (the production builds in dist/, throwaway databases, vhost
 * and Redis key prefix, production settings: NODE_ENV=production, bcrypt cost 12), then RUNS times, one app
 * at a time: stops the app (SIGTERM), spawns it again and times spawn → first 200 from its /health/ready
 * (polled every 10 ms), lets it idle 5 s and reads VmRSS from /proc/<pid>/status. Prints the medians and
 * writes bench/startup.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  median,
  sleep,
  startSystem,
  startTestSmtpServer,
  type RunningSystem,
  type SystemApp,
  waitFor,
  waitForBuilds,
  workspaceRoot,
} from '@platform/testing';

const RUNS = Number(process.env['STARTUP_RUNS'] ?? 3);
const IDLE_MS = 5_000;
const APPS: SystemApp[] = ['user-service', 'notification-service', 'api-gateway'];
export const STARTUP_GOALS = { readyMs: 1_000, rssMb: 100 };

export interface StartupResult {
  measuredAt: string;
  runs: number;
  apps: Record<SystemApp, { readyMs: number[]; rssMb: number[]; medianReadyMs: number; medianRssMb: number }>;
}

function readyUrl(system: RunningSystem, app: SystemApp): string {
  const base = {
    'user-service': system.userServiceUrl,
    'notification-service': system.notificationServiceUrl,
    // The gateway's readiness is on its internal port only.
    'api-gateway': system.gatewayMetricsUrl,
  }[app];
  return `${base}/health/ready`;
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round((Number(kb) / 1024) * 10) / 10;
}

/** Restarts `app` and returns spawn → ready (ms) and its RSS after IDLE_MS. */
async function measureOnce(system: RunningSystem, app: SystemApp): Promise<{ readyMs: number; rssMb: number }> {
  await system.processes[app].stop('SIGTERM');
  await waitForBuilds(); // a colleague's rebuild may have removed dist/ for a moment
  const url = readyUrl(system, app);
  const spawnedAt = performance.now();
  const [running, readyAt] = await Promise.all([
    system.start(app), // spawns synchronously, then polls readiness itself, but only every 100 ms
    waitFor(async () => ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).status === 200 ? performance.now() : false), {
      timeoutMs: 60_000,
      intervalMs: 10,
      description: `${app} ready`,
    }),
  ]);
  await sleep(IDLE_MS);
  return { readyMs: Math.round(readyAt - spawnedAt), rssMb: rssMb(running.child.pid as number) };
}

export async function measureStartup(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<StartupResult> {
  await waitForBuilds();
  const smtp = await startTestSmtpServer();
  const system = await startSystem({
    smtpUrl: smtp.url,
    name: 'bench_startup',
    env: { 'user-service': { BCRYPT_COST: '12' } },
  });
  try {
    const apps = {} as StartupResult['apps'];
    for (const app of APPS) apps[app] = { readyMs: [], rssMb: [], medianReadyMs: 0, medianRssMb: 0 };
    for (let run = 1; run <= RUNS; run++) {
      for (const app of APPS) {
        const { readyMs, rssMb: rss } = await measureOnce(system, app);
        apps[app].readyMs.push(readyMs);
        apps[app].rssMb.push(rss);
        log(
          `run ${run}/${RUNS} ${app.padEnd(21)} spawn → ready ${String(readyMs).padStart(5)} ms   RSS after ${IDLE_MS / 1000} s idle ${rss} MB`,
        );
      }
    }
    for (const app of APPS) {
      apps[app].medianReadyMs = median(apps[app].readyMs);
      apps[app].medianRssMb = median(apps[app].rssMb);
    }
    return { measuredAt: new Date().toISOString(), runs: RUNS, apps };
  } finally {
    await system.stop();
    await smtp.close();
  }
}

if (require.main === module) {
  measureStartup()
    .then((result) => {
      process.stdout.write(
        `\napp                    ready (median)   idle RSS (median)   goals ≤ ${STARTUP_GOALS.readyMs} ms, ≤ ${STARTUP_GOALS.rssMb} MB\n`,
      );
      for (const app of APPS) {
        const { medianReadyMs, medianRssMb } = result.apps[app];
        process.stdout.write(`${app.padEnd(22)} ${`${medianReadyMs} ms`.padStart(14)}   ${`${medianRssMb} MB`.padStart(17)}\n`);
      }
      const file = path.join(workspaceRoot, 'bench/startup.json');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`written to ${path.relative(workspaceRoot, file)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`startup measurement failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
