#!/usr/bin/env node
// `npm test`: lint, typecheck and every test project of the workspace, then one line with the totals.
// Extra arguments go to `nx run-many` (e.g. `npm test -- --projects=user-service`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const resultsDir = join(root, 'tmp', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

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
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
