import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait-for';

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far. */
  lines: string[];
  /** Sends a signal and waits for the exit; resolves with the exit code (null when killed by signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Waits until this URL answers 200 (e.g. /health/ready). */
  readyUrl?: string;
  readyTimeoutMs?: number;
  /** Echo the process output to this process's stderr (debugging). */
  echo?: boolean;
}

/** Starts a real process and (optionally) waits until it is ready; fails with its last output if it dies. */
export async function startProcess(options: StartProcessOptions): Promise<RunningProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      lines.push(line);
      if (options.echo) process.stderr.write(`[${options.name}] ${line}\n`);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );

  const running: RunningProcess = {
    name: options.name,
    child,
    lines,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  if (options.readyUrl) {
    const readyUrl = options.readyUrl;
    try {
      const outcome = await waitFor(
        async () => {
          if (exitCode !== undefined) return 'exited';
          const res = await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
          return res?.status === 200;
        },
        { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 100, description: `${options.name} at ${readyUrl}` },
      );
      if (outcome === 'exited') throw new Error(`${options.name} exited with code ${String(exitCode)} before it was ready`);
    } catch (error) {
      await running.stop('SIGKILL');
      const tail = lines.slice(-30).join('\n');
      throw new Error(`${(error as Error).message}\n--- last output of ${options.name} ---\n${tail}`);
    }
  }
  return running;
}
