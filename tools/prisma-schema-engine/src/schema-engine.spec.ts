/**
 * End-to-end proof that the stock Prisma CLI runs migrations through the wasm stand-in
 * (../schema-engine.cjs) against a real Postgres, on a throwaway database.
 *
 * The tests run in order and build on each other (deploy, then status, then diffs). They need Postgres at
 * PRISMA_ENGINE_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432, a role that may create
 * databases) and fail, never skip, if it is down.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Client } from 'pg';

const workspaceRoot = path.resolve(__dirname, '../../..');
const prisma = path.join(workspaceRoot, 'node_modules/.bin/prisma');
const engine = path.resolve(__dirname, '../schema-engine.cjs');
const fixtures = path.join(__dirname, 'fixtures');
const fixtureConfig = path.join(fixtures, 'prisma.config.ts');

const serverUrl = (process.env['PRISMA_ENGINE_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/$/, '');
const databaseName = `prisma_engine_test_${randomBytes(6).toString('hex')}`;
const databaseUrl = `${serverUrl}/${databaseName}`;
const SHADOW_PREFIX = 'prisma_migrate_shadow_db_';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and never rejects: the exit code is part of what the tests check. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: workspaceRoot, env, timeout: 45_000 }, (error, stdout, stderr) => {
      // error.code is the exit code, or a string when the process could not run at all
      const code = !error ? 0 : typeof error.code === 'number' ? error.code : -1;
      const failure = code === -1 ? `\n${error?.message}` : '';
      resolve({ code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) + failure });
    });
  });
}

/** Environment for the CLI. Without `engineFromEnv`, the stand-in comes from prisma.config.ts (`??=`). */
function cliEnv({ engineFromEnv = false } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
  };
  delete env['FORCE_COLOR'];
  delete env['PRISMA_SCHEMA_ENGINE_BINARY'];
  if (engineFromEnv) env['PRISMA_SCHEMA_ENGINE_BINARY'] = engine;
  return env;
}

const prismaCli = (args: string[], options?: { engineFromEnv?: boolean }) => run(prisma, args, cliEnv(options));

function migrationNames(migrationsDir: string): string[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The ERROR record of a one-shot `cli` call: the CLI skips stderr's first line and parses the rest as JSON. */
function cliError(stderr: string): { level: string; fields: { message: string; error_code?: string } } | undefined {
  const records = stderr
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => JSON.parse(line));
  return records.find((record) => record.level === 'ERROR');
}

async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const listShadowDatabases = () =>
  withClient(`${serverUrl}/postgres`, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      SHADOW_PREFIX,
    ]);
    return rows.map((row) => row.datname);
  });

describe('prisma schema-engine stand-in', () => {
  let workDir: string; // a scratch copy of the fixtures, for schema changes and new migrations
  let shadowDatabasesBefore: string[];

  beforeAll(async () => {
    // Fails loudly (no skipping) when Postgres is not reachable.
    shadowDatabasesBefore = await listShadowDatabases();
    // Inside the workspace (git-ignored tmp/), so that the copied prisma.config.ts resolves `prisma/config`.
    fs.mkdirSync(path.join(workspaceRoot, 'tmp'), { recursive: true });
    workDir = fs.mkdtempSync(path.join(workspaceRoot, 'tmp', 'prisma-schema-engine-'));
    fs.cpSync(fixtures, workDir, { recursive: true, filter: (source) => path.basename(source) !== 'generated' });
  });

  afterAll(async () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    await withClient(`${serverUrl}/postgres`, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      // The stand-in drops every shadow database it creates; clean up after a failure all the same.
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
        SHADOW_PREFIX,
      ]);
      for (const { datname } of rows.filter((row) => !shadowDatabasesBefore.includes(row.datname))) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
      }
    });
  });

  it('is wired in by prisma.config.ts', async () => {
    const result = await prismaCli(['version', '--config', fixtureConfig]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Schema Engine\s+: schema-engine-cli [0-9a-f]{40} \(wasm stand-in/);
    expect(result.stdout).toContain('resolved by PRISMA_SCHEMA_ENGINE_BINARY');
  }, 30_000);

  it('migrate deploy creates the missing database and applies every migration', async () => {
    const result = await prismaCli(['migrate', 'deploy', '--config', fixtureConfig]);

    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`PostgreSQL database ${databaseName} created`);
    expect(result.stdout).toContain('All migrations have been successfully applied.');
    const names = migrationNames(path.join(fixtures, 'migrations'));
    const rows = await withClient(databaseUrl, async (client) => {
      const applied = await client.query(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
           FROM _prisma_migrations ORDER BY migration_name`,
      );
      const tables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(['_prisma_migrations', 'authors', 'posts']);
      return applied.rows;
    });
    expect(rows).toHaveLength(names.length);
    names.forEach((name, i) => {
      expect(rows[i]).toMatchObject({
        migration_name: name,
        checksum: sha256(path.join(fixtures, 'migrations', name, 'migration.sql')),
        rolled_back_at: null,
        applied_steps_count: 1,
      });
      expect(rows[i].finished_at).toBeInstanceOf(Date);
    });
  }, 30_000);

  it('migrate status reports the database up to date', async () => {
    const result = await prismaCli(['migrate', 'status', '--config', fixtureConfig]);

    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Database schema is up to date!');
  }, 30_000);

  it('migrate diff --exit-code finds no drift between the migrations and the schema', async () => {
    const result = await prismaCli([
      ...['migrate', 'diff', '--config', fixtureConfig, '--exit-code', '--script'],
      ...['--from-migrations', path.join(fixtures, 'migrations'), '--to-schema', path.join(fixtures, 'schema.prisma')],
    ]);

    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('-- This is an empty migration.');
  }, 30_000);

  it('migrate diff --exit-code exits 2 and prints the SQL once the schema drifts', async () => {
    const schemaFile = path.join(workDir, 'schema.prisma');
    const schema = fs.readFileSync(schemaFile, 'utf8');
    fs.writeFileSync(schemaFile, schema.replace('model Author {', 'model Author {\n  bio       String?'));

    const result = await prismaCli([
      ...['migrate', 'diff', '--config', fixtureConfig, '--exit-code', '--script'],
      ...['--from-migrations', path.join(workDir, 'migrations'), '--to-schema', schemaFile],
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/ALTER TABLE "authors" ADD COLUMN\s+"bio" TEXT;/);
  }, 30_000);

  it('migrate dev --create-only writes (but does not apply) a migration for the changed schema', async () => {
    const migrationsDir = path.join(workDir, 'migrations');
    const before = migrationNames(migrationsDir);

    const result = await prismaCli(
      ['migrate', 'dev', '--create-only', '--name', 'add_bio', '--config', path.join(workDir, 'prisma.config.ts')],
      { engineFromEnv: true }, // the copied config's own fallback path does not point at the stand-in
    );

    expect(result).toMatchObject({ code: 0 });
    const created = migrationNames(migrationsDir).filter((name) => !before.includes(name));
    expect(created).toEqual([expect.stringMatching(/^\d{14}_add_bio$/)]);
    const sql = fs.readFileSync(path.join(migrationsDir, created[0], 'migration.sql'), 'utf8');
    expect(sql).toMatch(/ALTER TABLE "authors" ADD COLUMN\s+"bio" TEXT;/);
    const applied = await withClient(databaseUrl, (client) => client.query('SELECT 1 FROM _prisma_migrations'));
    expect(applied.rowCount).toBe(before.length);

    // ...and the migrations folder now matches the changed schema again.
    const diff = await prismaCli([
      ...['migrate', 'diff', '--config', fixtureConfig, '--exit-code'],
      ...['--from-migrations', migrationsDir, '--to-schema', path.join(workDir, 'schema.prisma')],
    ]);
    expect(diff).toMatchObject({ code: 0 });
  }, 45_000);

  it('cli can-connect-to-database reports P1003 for a missing database', async () => {
    const datasource = JSON.stringify({ url: `${serverUrl}/${databaseName}_missing` });
    const result = await run(engine, ['--datasource', datasource, 'cli', 'can-connect-to-database'], process.env);

    expect(result.code).not.toBe(0);
    expect(cliError(result.stderr)?.fields).toMatchObject({
      error_code: 'P1003',
      message: expect.stringContaining(`Database \`${databaseName}_missing\` does not exist`),
    });
  }, 15_000);

  it('cli can-connect-to-database reports P1001 for an unreachable server, without leaking the password', async () => {
    const port = await unusedPort();
    const datasource = JSON.stringify({ url: `postgresql://app:n0t-a-real-secret@127.0.0.1:${port}/app` });
    const result = await run(engine, ['--datasource', datasource, 'cli', 'can-connect-to-database'], process.env);

    expect(result.code).not.toBe(0);
    expect(cliError(result.stderr)?.fields).toMatchObject({
      error_code: 'P1001',
      message: expect.stringContaining(`Can't reach database server at \`127.0.0.1:${port}\``),
    });
    expect(`${result.stdout}${result.stderr}`).not.toContain('n0t-a-real-secret');
  }, 15_000);

  it('speaks newline-delimited JSON-RPC 2.0 on stdio in server mode', async () => {
    const child = spawn(engine, ['--datasource', JSON.stringify({ url: databaseUrl })], { cwd: workspaceRoot });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(
      [
        { jsonrpc: '2.0', id: 1, method: 'getDatabaseVersion' },
        { jsonrpc: '2.0', id: 2, method: 'noSuchMethod', params: {} },
      ]
        .map((request) => `${JSON.stringify(request)}\n`)
        .join(''),
    );

    expect(await exited).toBe(0);
    const [version, unknown] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(version).toEqual({ jsonrpc: '2.0', id: 1, result: expect.stringMatching(/^PostgreSQL \d+/) });
    expect(unknown).toMatchObject({
      jsonrpc: '2.0',
      id: 2,
      error: { code: 4466, data: { is_panic: false, message: 'Method not found: noSuchMethod' } },
    });
  }, 15_000);
});
