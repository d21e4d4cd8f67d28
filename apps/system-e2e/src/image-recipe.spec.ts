import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSystem, startTestSmtpServer, workspaceRoot, type RunningSystem, type TestSmtpServer } from '@platform/testing';

const run = promisify(execFile);
const APPS = ['user-service', 'notification-service', 'api-gateway'] as const;

/**
 * docker/Dockerfile's runtime stage, without Docker (this machine has no engine): take each app's build
 * output with its generated package.json and lockfile, install production dependencies only into an empty
 * folder, and run `node main.js` from there against the real infrastructure — every app must get ready.
 */
let imagesDir: string;
let smtp: TestSmtpServer;
let system: RunningSystem | undefined;

beforeAll(async () => {
  imagesDir = mkdtempSync(path.join(os.tmpdir(), 'image-recipe-'));
  await Promise.all(
    APPS.map(async (app) => {
      const dist = path.join(workspaceRoot, 'dist', 'apps', app);
      const image = path.join(imagesDir, app);
      mkdirSync(image);
      for (const file of ['package.json', 'package-lock.json', 'main.js']) {
        if (!existsSync(path.join(dist, file))) throw new Error(`${dist}/${file} is missing: run npx nx run ${app}:build`);
        copyFileSync(path.join(dist, file), path.join(image, file));
      }
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: image, timeout: 240_000 });
    }),
  );
  smtp = await startTestSmtpServer();
}, 300_000);

afterAll(async () => {
  await system?.stop();
  await smtp?.close();
  rmSync(imagesDir, { recursive: true, force: true });
});

it('every app starts from its pruned package.json with production dependencies only and gets ready', async () => {
  for (const app of APPS) {
    expect(existsSync(path.join(imagesDir, app, 'node_modules'))).toBe(true);
    // Tooling must stay out of the image.
    expect(existsSync(path.join(imagesDir, app, 'node_modules', 'jest'))).toBe(false);
    expect(existsSync(path.join(imagesDir, app, 'node_modules', 'typescript'))).toBe(false);
  }
  // startSystem waits until each app answers 200 on /health/ready.
  system = await startSystem({ smtpUrl: smtp.url, name: 'e2e_image', appsDir: imagesDir });
  const ready = await fetch(`${system.gatewayMetricsUrl}/health/ready`);
  expect(ready.status).toBe(200);
  const signup = await fetch(`${system.gatewayUrl}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `image-${Date.now()}@example.com`, name: 'Image Check', password: 'Image-check-1' }),
  });
  expect(signup.status).toBe(201);
}, 180_000);
