import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { sh } from './shell';
import { sleep } from './wait-for';

/** The Nx workspace root (the folder holding nx.json), found upward from this file. */
export const workspaceRoot = ((): string => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No nx.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

const APPS = ['user-service', 'notification-service', 'api-gateway'];

/** Builds the three apps for production into dist/ (nx; a cached build is restored, not redone). */
export async function buildApps(): Promise<void> {
  const build = await sh(`npx nx run-many -t build -p ${APPS.join(',')} --outputStyle=static`, { inherit: true });
  if (build.code !== 0) throw new Error(`building ${APPS.join(', ')} failed (exit code ${String(build.code)})`);
}

/**
 * Waits (up to `timeoutMs`) until the three production builds exist in dist/ and have not changed for 2 s:
 * a build in progress removes them for a moment.
 */
export async function waitForBuilds(timeoutMs = 180_000): Promise<void> {
  const mains = APPS.map((app) => path.join(workspaceRoot, 'dist/apps', app, 'main.js'));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const settled = mains.every((file) => existsSync(file) && Date.now() - statSync(file).mtimeMs > 2_000);
    if (settled) return;
    if (Date.now() > deadline)
      throw new Error(`dist/apps/*/main.js missing or changing for ${timeoutMs / 1000} s: build with npx nx run-many -t build`);
    await sleep(500);
  }
}
