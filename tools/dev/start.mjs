#!/usr/bin/env node
// `npm start`: the whole system on this machine. Checks PostgreSQL, Redis and RabbitMQ, creates and migrates
// the databases, then serves all three apps with `nx run-many -t serve` (log lines prefixed per app).
// Ctrl-C or SIGTERM stops everything.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const apps = ['api-gateway', 'user-service', 'notification-service'];
// No Nx daemon: it is off by default in containers and CI anyway, and the serve watchers do not need it.
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_DAEMON: 'false' };

const services = [
  {
    name: 'PostgreSQL',
    url: env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  {
    name: 'Redis',
    url: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    port: 6379,
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
  {
    name: 'RabbitMQ',
    url: env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    port: 5672,
    start: 'rabbitmq-server -detached && rabbitmqctl await_startup',
  },
];

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function checkInfrastructure() {
  const down = [];
  for (const service of services) {
    const url = new URL(service.url);
    const host = url.hostname || '127.0.0.1';
    const port = Number(url.port) || service.port;
    if (!(await reachable(host, port))) down.push({ ...service, host, port });
  }
  if (down.length === 0) return;
  console.error('Cannot start: the system needs these services, which do not answer:\n');
  for (const s of down) console.error(`  ✗ ${s.name} at ${s.host}:${s.port}\n      start it with: ${s.start}`);
  console.error('\nOr start all of them at once:  tools/infra/ensure-services.sh');
  console.error('With Docker available:         docker compose -f docker/docker-compose.yml up -d postgres redis rabbitmq');
  process.exit(1);
}

function run(label, args) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync('npx', args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✗ ${label} failed (exit code ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

await checkInfrastructure();
// `migrate deploy` creates a missing database itself, then applies pending migrations.
run('Creating and migrating the databases', [
  'nx',
  'run-many',
  '-t',
  'migrate',
  '-p',
  'user-service,notification-service',
  '--output-style=stream',
]);

console.log(`\n▶ Serving ${apps.join(', ')} — gateway on http://localhost:3000 (docs at /docs). Ctrl-C stops everything.\n`);
const nx = spawn('npx', ['nx', 'run-many', '-t', 'serve', '-p', apps.join(','), `--parallel=${apps.length}`, '--output-style=stream'], {
  cwd: root,
  env,
  stdio: 'inherit',
  detached: true, // own process group, so one signal reaches nx and every app it started
});

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n▶ ${signal}: stopping all apps…`);
  try {
    process.kill(-nx.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  setTimeout(() => {
    try {
      process.kill(-nx.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 15_000).unref();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
nx.on('exit', (code, signal) => {
  console.log(`\n▶ stopped (${signal ?? `exit code ${code}`})`);
  process.exit(stopping ? 0 : (code ?? 1));
});
