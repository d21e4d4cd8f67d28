import { execFile, execFileSync } from 'node:child_process';

/** Makes sure a command-line tool is there: installs its Debian package when running as root, else says how. */
export function requireTool(command: string, debianPackage: string): void {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
  } catch {
    if (process.getuid?.() !== 0) throw new Error(`${command} is missing: apt-get install -y ${debianPackage}`);
    process.stdout.write(`installing ${debianPackage}…\n`);
    execFileSync('apt-get', ['install', '-y', '-q', debianPackage], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
}

/**
 * Runs a tool to its end and returns its stdout. A failure names the tool, its exit code and the end of its
 * stderr, never its arguments: they often carry a bearer token.
 */
export function runTool(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { encoding: 'utf8', maxBuffer: 10 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const status = error.killed ? `killed (${String(error.signal)})` : `exit code ${String(error.code)}`;
        reject(new Error(`${command} ${args[0] ?? ''}… failed, ${status}: ${stderr.trim().slice(-500)}`));
      },
    );
  });
}

export interface WrkFigures {
  requestsPerSecond: number;
  /** NaN unless wrk ran with --latency. */
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  socketErrors: number;
}

/** The figures of a wrk run, from its text output. */
export function parseWrkOutput(output: string): WrkFigures {
  const number = (pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const ms = (pattern: RegExp): number => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's'] : Number.NaN;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: ms(/\s50%\s+([\d.]+)(us|ms|s)/),
    p99Ms: ms(/\s99%\s+([\d.]+)(us|ms|s)/),
    requests: number(/(\d+) requests in/),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}
