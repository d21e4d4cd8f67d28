#!/usr/bin/env node
// `npm test`: format check, lint, typecheck and every test project of the workspace, then one line with the totals.
// Extra arguments go to `nx run-many` (e.g. `npm test -- --projects=user-service`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const resultsDir = join(root, 'tmp', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

// Formatting first: quick, and a failure is reported even when a test task fails later.
const format = spawnSync('npx', ['nx', 'format:check', '--all'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_NO_CLOUD: 'true' },
});
if (format.status !== 0) console.error('\nnx format:check failed: run `npx nx format:write --all`.');

const args = ['nx', 'run-many', '-t', 'lint', 'typecheck', 'migrate-check', 'test', '--output-style=stream', ...process.argv.slice(2)];
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_NO_CLOUD: 'true' } });

let passed = 0;
let failed = 0;
const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')) : [];
for (const file of files) {
  const summary = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  passed += summary.passed;
  failed += summary.failed;
}
// A failed lint/typecheck task (or a test run that crashed before reporting) still fails the whole run.
if ((run.status !== 0 || format.status !== 0) && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && format.status === 0 && failed === 0 ? 0 : 1);
