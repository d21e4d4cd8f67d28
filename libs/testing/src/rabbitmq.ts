import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { canConnect } from './network';

const execFileAsync = promisify(execFile);

const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface TestVhost {
  vhost: string;
  /** amqp URL of the base broker (RABBITMQ_URL) pointing at this vhost. */
  url: string;
  /** Closes every client connection of this vhost from the server side (to test reconnects). */
  closeConnections(reason?: string): Promise<void>;
  /** Deletes the vhost with everything in it. */
  dispose(): Promise<void>;
}

/** RABBITMQ_URL, or the local broker with guest/guest. */
export function rabbitmqUrl(): string {
  return process.env['RABBITMQ_URL'] || DEFAULT_RABBITMQ_URL;
}

/**
 * Creates a throwaway vhost (via rabbitmqctl, which must run on the broker's machine) with full
 * permissions for the URL's user. Throws with a clear message if RabbitMQ does not answer: tests must
 * fail, never skip, when the broker is down.
 */
export async function createTestVhost(prefix = 'test'): Promise<TestVhost> {
  const base = new URL(rabbitmqUrl());
  const host = base.hostname || '127.0.0.1';
  const port = Number(base.port) || 5672;
  await assertRabbitMqAnswers(host, port);

  const vhost = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const user = decodeURIComponent(base.username) || 'guest';
  await rabbitmqctl(['add_vhost', vhost]);
  await rabbitmqctl(['set_permissions', '-p', vhost, user, '.*', '.*', '.*']);

  const url = new URL(base.toString());
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    vhost,
    url: url.toString(),
    closeConnections: async (reason = 'closed by test') => {
      await rabbitmqctl(['close_all_connections', '-p', vhost, reason]);
    },
    dispose: async () => {
      await rabbitmqctl(['delete_vhost', vhost]);
    },
  };
}

async function assertRabbitMqAnswers(host: string, port: number): Promise<void> {
  if (await canConnect(host, port, 2_000)) return;
  throw new Error(
    `RabbitMQ is not answering on ${host}:${port}. Start it with \`rabbitmq-server -detached\` ` +
      '(then `rabbitmqctl await_startup`), or point RABBITMQ_URL at a running broker.',
  );
}

async function rabbitmqctl(args: string[]): Promise<void> {
  try {
    await execFileAsync('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });
  } catch (error) {
    const detail = error as { code?: unknown; stderr?: string; message?: string };
    const hint =
      detail.code === 'ENOENT'
        ? 'rabbitmqctl is not on PATH (the tests manage vhosts with it; run them on the broker host as root)'
        : detail.stderr?.trim() || detail.message;
    throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${hint}`, { cause: error });
  }
}
