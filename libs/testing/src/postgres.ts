import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { INFRASTRUCTURE, requireInfrastructure } from './infrastructure';

export interface TestDatabase {
  name: string;
  url: string;
  dispose(): Promise<void>;
}

async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: INFRASTRUCTURE.postgres.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty throwaway database (`<prefix>_<random>`); `dispose` drops it, closing leftover sessions. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  await requireInfrastructure(['postgres']);
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(INFRASTRUCTURE.postgres.url);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    dispose: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
