import { canConnect } from './network';

export type InfrastructureService = 'postgres' | 'redis' | 'rabbitmq';

/** Where the local services are, and how to start each one on this kind of machine. */
export const INFRASTRUCTURE: Record<InfrastructureService, { label: string; url: string; start: string }> = {
  postgres: {
    label: 'PostgreSQL',
    url: process.env['POSTGRES_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  redis: {
    label: 'Redis',
    url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
  rabbitmq: {
    label: 'RabbitMQ',
    url: process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
    start: 'rabbitmq-server -detached && rabbitmqctl await_startup',
  },
};

function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaults: Record<string, number> = { 'postgresql:': 5432, 'postgres:': 5432, 'redis:': 6379, 'amqp:': 5672 };
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port) || defaults[parsed.protocol] || 0 };
}

/**
 * Fails loudly, naming every service that does not answer, where it was expected and how to start it.
 * Integration tests call this first: a missing service is a failure, never a skipped test.
 */
export async function requireInfrastructure(services: readonly InfrastructureService[]): Promise<void> {
  const down: string[] = [];
  await Promise.all(
    services.map(async (service) => {
      const { label, url, start } = INFRASTRUCTURE[service];
      const { host, port } = hostAndPort(url);
      if (!(await canConnect(host, port))) down.push(`${label} is not reachable at ${host}:${port}. Start it with: ${start}`);
    }),
  );
  if (down.length > 0) {
    throw new Error(
      `Integration tests need real infrastructure:\n  - ${down.join('\n  - ')}\n(or run docker compose -f docker/docker-compose.yml up -d)`,
    );
  }
}
