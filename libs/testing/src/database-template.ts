import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { INFRASTRUCTURE } from './infrastructure';
import { dropDatabase, type TestDatabase } from './postgres';

/**
 * A private copy of `template` (a database nobody is connected to, e.g. one a global setup created and
 * migrated), named `<template>_<random>`. Copying takes a fraction of a second where migrating takes
 * seconds, so every test file can own a database. `dispose` drops it.
 */
export async function cloneTestDatabase(template: string): Promise<TestDatabase> {
  const name = `${template}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: INFRASTRUCTURE.postgres.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(INFRASTRUCTURE.postgres.url);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), dispose: () => dropDatabase(name) };
}

/** Drops `template` and every clone of it that is left (a crashed test file does not dispose its own). */
export async function dropTemplateAndClones(template: string): Promise<void> {
  const admin = new Client({ connectionString: INFRASTRUCTURE.postgres.url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)',
      [template, `${template}_`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
