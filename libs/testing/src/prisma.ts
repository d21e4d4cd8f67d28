import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from './workspace';

const execFileAsync = promisify(execFile);

/**
 * Applies an app's migrations to `databaseUrl` with the real `prisma migrate deploy` (and the offline
 * engine stand-in its prisma.config.ts wires in). Creates the database if it does not exist.
 */
export async function migrateDatabase(app: string, databaseUrl: string): Promise<void> {
  try {
    await execFileAsync(
      path.join(workspaceRoot, 'node_modules', '.bin', 'prisma'),
      ['migrate', 'deploy', '--config', `apps/${app}/prisma.config.ts`],
      {
        cwd: workspaceRoot,
        env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', NO_COLOR: '1' },
        timeout: 120_000,
      },
    );
  } catch (error) {
    const detail = error as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`prisma migrate deploy for ${app} failed: ${detail.message}\n${detail.stdout ?? ''}${detail.stderr ?? ''}`);
  }
}
