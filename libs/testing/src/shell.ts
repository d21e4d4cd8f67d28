import { spawn } from 'node:child_process';

export interface ShellResult {
  code: number | null;
  output: string;
}

/**
 * Runs a shell command to its end and returns its exit code and output (stdout + stderr). Output goes through
 * a pipe unless `detach` is set: then it is discarded and the command runs in its own session, so a daemon it
 * starts holds none of our pipes and does not belong to our process group.
 */
export function sh(command: string, options: { detach?: boolean; inherit?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      stdio: options.inherit ? 'inherit' : options.detach ? 'ignore' : ['ignore', 'pipe', 'pipe'],
      detached: options.detach,
      env: options.env ?? process.env,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
