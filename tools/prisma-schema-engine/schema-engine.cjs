#!/usr/bin/env node
/*
 * Stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it.
 *
 * The stock Prisma CLI runs this file instead of the binary when PRISMA_SCHEMA_ENGINE_BINARY points at
 * it. It speaks the binary's protocol and forwards every request to Prisma's official WebAssembly build
 * of the same engine (@prisma/schema-engine-wasm), which reaches Postgres through @prisma/adapter-pg.
 * It leans on an internal protocol: keep the versions pinned and re-check on upgrades (README.md).
 *
 *   schema-engine.cjs --version
 *   schema-engine.cjs --datamodels <path>... --datasource '{"url":"..."}'      JSON-RPC 2.0 server on stdio
 *   schema-engine.cjs --datasource '{"url":"..."}' cli can-connect-to-database|create-database|drop-database
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { randomUUID } = require('node:crypto');
const pg = require('pg');
const { parse: parsePgUrl } = require('pg-connection-string');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');

const WASM_DIR = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
const WASM_VERSION = JSON.parse(fs.readFileSync(path.join(WASM_DIR, 'package.json'), 'utf8')).version;

const ignore = () => undefined;
const quoteIdent = (name) => `"${String(name).replace(/"/g, '""')}"`;
const withCode = (message, code) => Object.assign(new Error(message), { code });
const isPrismaCode = (code) => typeof code === 'string' && /^P\d{4}$/.test(code);

// Only JSON-RPC goes to stdout. stderr carries one JSON log record per line, like the binary's tracing
// output; nothing we write may contain a database password.
const secrets = new Set();
const redact = (text) => {
  let out = String(text).replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@\s/]*@/gi, '$1***@');
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
};
const log = (level, message, errorCode) => {
  const fields = { message: redact(message), ...(errorCode ? { error_code: errorCode } : {}) };
  const record = { timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' };
  process.stderr.write(`${JSON.stringify(record)}\n`);
};
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** Turns Prisma's datasource URL into a pg PoolConfig plus the Postgres schema it targets. */
function pgConfig(url) {
  if (!url) throw withCode('The datasource URL is empty: set datasource.url in prisma.config.ts.', 'P1012');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw withCode('The provided database string is invalid.', 'P1013');
  }
  if (parsed.password) secrets.add(parsed.password).add(decodeURIComponent(parsed.password));
  // Pitfall 4: `?schema=` is Prisma's, not libpq's. Hand it to the adapter and make it the search_path,
  // so that the unqualified DDL of migration scripts lands in that schema.
  const schema = parsed.searchParams.get('schema') || 'public';
  const connectTimeout = Number(parsed.searchParams.get('connect_timeout') ?? 5);
  for (const prismaOnly of ['schema', 'connect_timeout', 'connection_limit', 'pool_timeout', 'socket_timeout']) {
    parsed.searchParams.delete(prismaOnly);
  }
  const config = parsePgUrl(parsed.toString());
  const options = [config.options, `-c search_path=${quoteIdent(schema)}`].filter(Boolean).join(' ');
  const database = config.database || 'postgres';
  return {
    schema,
    config: { ...config, database, options, connectionTimeoutMillis: connectTimeout * 1000, Client: RelabelingClient },
  };
}

/**
 * Pitfall 1: the engine reads pg_catalog columns of type "char" (OID 18), which adapter-pg rejects ("Column
 * type 'char' could not be deserialized"). pg already returns them as strings: relabelling them as text
 * (OID 25) is enough. Done in the pg client so that pooled and transaction connections both get it.
 */
function relabelCharColumns(result) {
  for (const each of Array.isArray(result) ? result : [result]) {
    for (const field of each?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
  }
  return result;
}

class RelabelingClient extends pg.Client {
  query(config, values, callback) {
    if (typeof values === 'function') [values, callback] = [undefined, values];
    if (typeof callback === 'function') {
      return super.query(config, values, (err, result) => callback(err, err ? result : relabelCharColumns(result)));
    }
    const pending = super.query(config, values);
    return typeof pending?.then === 'function' ? pending.then(relabelCharColumns) : pending;
  }
}

/** Runs `work` on a plain connection to the datasource's database, or to `postgres` if that one is missing. */
async function withAdminClient(config, work) {
  let client = new pg.Client(config);
  await client.connect().catch(async (err) => {
    if (err.code !== '3D000') throw err;
    client = new pg.Client({ ...config, database: 'postgres' });
    await client.connect();
  });
  try {
    return await work(client);
  } finally {
    await client.end().catch(ignore);
  }
}

/** Maps pg and network errors to the P-codes and messages of Prisma's user-facing errors. */
function knownError(err, config) {
  if (isPrismaCode(err?.code)) return { code: err.code, message: err.message };
  const at = `\`${config?.host || 'localhost'}:${config?.port || 5432}\``;
  // Node reports a failed connect to a host with several addresses as an AggregateError.
  const code = [err, ...(err?.errors ?? [])].map((e) => e?.code).find(Boolean);
  const db = `Database \`${config?.database}\``;
  if (code === '3D000') return { code: 'P1003', message: `${db} does not exist on the database server at ${at}.` };
  if (code === '42P04') return { code: 'P1009', message: `${db} already exists on the database server at ${at}` };
  if (code === '28P01' || code === '28000') {
    const user = `\`${config.user}\``;
    return { code: 'P1000', message: `Authentication failed against database server at ${at}: credentials for ${user} are not valid.` };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code)) {
    const message = `Can't reach database server at ${at}\n\nPlease make sure your database server is running at ${at}.`;
    return { code: 'P1001', message };
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(err?.message ?? '')) {
    return { code: 'P1002', message: `The database server at ${at} was reached but timed out.` };
  }
  return { code: undefined, message: err?.message ?? String(err) };
}

/**
 * One-shot `cli <command>`. The CLI skips the first stderr line and parses the others as JSON records,
 * looking for an ERROR record with `fields.error_code` (P1003 makes `migrate deploy`/`dev` create the database).
 */
async function runCliCommand(command, datasource) {
  log('INFO', `Starting schema engine CLI (wasm stand-in ${WASM_VERSION})`);
  let config;
  try {
    config = pgConfig(datasource.url).config;
    const maintenance = { ...config, database: 'postgres' };
    if (command === 'can-connect-to-database') {
      const client = new pg.Client(config);
      await client.connect();
      await client.end();
      log('INFO', 'Database connection successful');
    } else if (command === 'create-database') {
      await withAdminClient(maintenance, (c) => c.query(`CREATE DATABASE ${quoteIdent(config.database)}`));
      log('INFO', `Database '${config.database}' was successfully created.`);
    } else if (command === 'drop-database') {
      await withAdminClient(maintenance, (c) => c.query(`DROP DATABASE ${quoteIdent(config.database)}`));
      log('INFO', 'The database was successfully dropped.');
    } else {
      throw new Error(`Unknown command \`cli ${command}\`.`);
    }
    return 0;
  } catch (err) {
    const { code, message } = knownError(err, config);
    log('ERROR', message, code);
    return 1;
  }
}

/** Loads the wasm-bindgen "bundler" build by hand, the way Prisma's own wasm loader does. */
async function loadWasmEngineModule() {
  // Rust panics inside the module report their message through this global.
  let panicMessage = '';
  globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (m) => (panicMessage = m), get: () => panicMessage };
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const bytes = fs.readFileSync(path.join(WASM_DIR, 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

/**
 * adapter-pg's executeScript splits a script on every ";", which breaks `$$` bodies and string literals and
 * commits statement by statement. Send it whole instead (simple query protocol: one implicit transaction),
 * as the native engine does.
 */
function executeScriptsWhole(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (err) {
      adapter.onError(err); // rethrows it as the DriverAdapterError the engine understands
    }
  };
  return adapter;
}

/** Driver adapter factory for the engine: the main database, plus shadow databases we manage ourselves. */
function createAdapterFactory(datasource) {
  const shadowDatabases = new Set(); // created and not dropped yet
  const dropShadowDatabase = async (config, database) => {
    await withAdminClient(config, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
    shadowDatabases.delete(database);
  };
  return {
    provider: 'postgres',
    adapterName: new PrismaPg({}).adapterName,
    async connect() {
      const { config, schema } = pgConfig(datasource.url);
      return executeScriptsWhole(await new PrismaPg(config, { schema }).connect());
    },
    // Pitfall 2: adapter-pg's own helper connects to the MAIN database when given a connection string, and
    // drops the shadow database before closing its pool. So we create `prisma_migrate_shadow_db_<uuid>`,
    // connect a second adapter to it and drop it once that is disposed. Needs CREATEDB; a configured
    // shadowDatabaseUrl is not used.
    async connectToShadowDb() {
      const { config, schema } = pgConfig(datasource.url);
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await withAdminClient(config, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`)).catch((err) => {
        const hint = 'Please make sure the database user has permission to create databases.';
        const message = `Prisma Migrate could not create the shadow database. ${hint}\n\nOriginal error: ${err.message}`;
        throw withCode(message, 'P3014');
      });
      shadowDatabases.add(database);
      const adapter = executeScriptsWhole(await new PrismaPg({ ...config, database }, { schema }).connect());
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await dropShadowDatabase(config, database);
      };
      return adapter;
    },
    /** The engine disposes (and so drops) each shadow database it opens; this catches any a failure left. */
    async dropLeftoverShadowDatabases() {
      const { config } = shadowDatabases.size ? pgConfig(datasource.url) : {};
      for (const database of shadowDatabases) await dropShadowDatabase(config, database).catch(ignore);
    },
  };
}

/** Renders what the engine throws as the JSON-RPC error the native binary sends. */
function rpcError(err, errorRegistry) {
  const isPanic = err?.name === 'RuntimeError'; // a Rust panic inside the wasm module
  let message = isPanic ? globalThis.PRISMA_WASM_PANIC_REGISTRY.get() || err.message : (err?.message ?? String(err));
  let errorCode = isPrismaCode(err?.code) ? err.code : undefined;
  // JS errors thrown inside the adapter are parked in a registry: the engine's message only says
  // "External error id#<n>". Put the real error back.
  message = message.replace(/External error id#(\d+)/, (marker, id) => {
    const parked = errorRegistry.consumeError(Number(id))?.error;
    if (isPrismaCode(parked?.code)) errorCode ??= parked.code;
    return parked ? parked.message : marker;
  });
  message = redact(message);
  return {
    code: 4466,
    message: isPanic ? message : 'An error happened. Check the data field for details.',
    data: { is_panic: isPanic, message, error_code: errorCode, meta: err?.meta ?? null },
  };
}

/** Server mode: newline-delimited JSON-RPC 2.0 on stdin/stdout, one request at a time, in order. */
function serve(options) {
  log('INFO', `Starting schema engine RPC server (wasm stand-in ${WASM_VERSION})`);
  console.log = console.info = console.error; // keep stray logging off the protocol channel
  const factory = createAdapterFactory(options.datasource);
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(factory);
  const datamodels = options.datamodels.map((file) => [file, fs.readFileSync(path.resolve(file), 'utf8')]);
  const engineLog = (line) => process.stderr.write(`${redact(String(line).trimEnd())}\n`);
  let enginePromise; // created on first use, so that start-up errors become JSON-RPC errors
  const getEngine = () =>
    (enginePromise ??= loadWasmEngineModule().then((glue) =>
      glue.SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, engineLog, adapterFactory),
    ));

  // The CLI prints only what the engine sends as a `print` *request*, and acknowledges it with a response
  // carrying the same id. The wasm engine returns `migrate diff` output in `result.stdout` instead.
  let nextPrintId = 1;
  const pendingPrints = new Map();
  const print = (content) =>
    new Promise((resolve) => {
      const id = nextPrintId++;
      pendingPrints.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  async function dispatch(method, params) {
    const engine = await getEngine();
    const engineMethod = method === 'getDatabaseVersion' ? 'version' : method; // the one renamed method
    if (typeof engine[engineMethod] !== 'function' || ['free', 'constructor'].includes(engineMethod)) {
      throw new Error(`Method not found: ${method}`);
    }
    if (method === 'createMigration' || method === 'evaluateDataLoss') {
      // Pitfall 3: in the wasm build these cannot open a shadow database themselves; they reuse the result
      // of a diagnosis run with the shadow database opted in.
      const { migrationsList, filters } = params;
      await engine.diagnoseMigrationHistory({ migrationsList, filters, optInToShadowDatabase: true });
    }
    const result = await engine[engineMethod](params);
    if (method === 'diff') {
      if (result.stdout) await print(result.stdout.replace(/\n$/, '')); // the CLI adds a newline itself
      return { exitCode: result.exitCode };
    }
    return result === undefined ? null : result;
  }

  async function handle({ id, method, params }) {
    try {
      send({ jsonrpc: '2.0', id, result: await dispatch(method, params) });
    } catch (err) {
      send({ jsonrpc: '2.0', id, error: rpcError(err, adapterFactory.errorRegistry) });
    }
  }

  let queue = Promise.resolve();
  const shutdown = () =>
    queue.then(async () => {
      await factory.dropLeftoverShadowDatabases().catch(ignore);
      process.exit(0); // open pools would keep the process alive
    });

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    if (message.method === undefined) {
      pendingPrints.get(message.id)?.(); // the CLI acknowledging one of our `print` requests
      pendingPrints.delete(message.id);
      return;
    }
    queue = queue.then(() => handle(message));
  });
  input.on('close', shutdown);
  process.on('SIGTERM', shutdown); // the CLI sends it right after closing stdin
}

function parseArgs(argv) {
  const options = { version: false, datamodels: [], datasource: {}, cliCommand: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--version' || arg === '-V') options.version = true;
    else if (arg === '--datamodels' || arg === '-d') options.datamodels.push(argv[++i]);
    else if (arg === '--datasource') options.datasource = JSON.parse(argv[++i]);
    else if (arg === '--enabled-preview-features' || arg === '--extension-types')
      i++; // nothing to forward
    else if (arg === 'cli') options.cliCommand = argv[++i];
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.version) {
    const commit = WASM_VERSION.split('.').pop(); // "8.1.0-2.<prisma-engines commit>"
    process.stdout.write(`schema-engine-cli ${commit} (wasm stand-in, @prisma/schema-engine-wasm ${WASM_VERSION})\n`);
  } else if (options.cliCommand !== undefined) {
    process.exitCode = await runCliCommand(options.cliCommand, options.datasource);
  } else {
    serve(options);
  }
}

// A fatal error is reported like the binary does: an ERROR record, then exit code 1. (The wasm glue throws
// asynchronously, e.g. on malformed params, so this also covers uncaught exceptions.)
const die = (err) => {
  log('ERROR', err?.stack ?? String(err));
  process.exit(1);
};
process.on('uncaughtException', die);
main().catch(die);
