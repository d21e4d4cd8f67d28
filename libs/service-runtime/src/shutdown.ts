import type { Server } from 'node:http';
import type { Health } from './health';
import type { Logger } from './logger';

export interface ShutdownOptions {
  logger: Logger;
  /** Hard deadline for the whole shutdown. */
  timeoutMs: number;
  health?: Health;
  /** Injectable for tests. */
  exit?: (code: number) => void;
}

type Closer = () => Promise<void> | void;

/**
 * SIGTERM/SIGINT → readiness 503 → stop accepting connections → let in-flight requests finish →
 * run the registered closers in reverse order (last opened, first closed) → exit 0.
 * If the deadline passes first, open connections are cut and the process exits 1.
 */
export class GracefulShutdown {
  private readonly servers: Server[] = [];
  private readonly closers: Array<{ name: string; close: Closer }> = [];
  private running?: Promise<void>;

  constructor(private readonly options: ShutdownOptions) {}

  addServer(server: Server): this {
    this.servers.push(server);
    return this;
  }

  /** Registers something to close; closers run in reverse order of registration. */
  onShutdown(name: string, close: Closer): this {
    this.closers.push({ name, close });
    return this;
  }

  get isShuttingDown(): boolean {
    return this.running !== undefined;
  }

  listen(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): this {
    for (const signal of signals) process.once(signal, () => void this.shutdown(signal));
    return this;
  }

  shutdown(reason: string): Promise<void> {
    this.running ??= this.run(reason);
    return this.running;
  }

  private async run(reason: string): Promise<void> {
    const { logger, timeoutMs, health, exit = (code: number) => process.exit(code) } = this.options;
    logger.info('Shutting down', { reason, timeoutMs });
    health?.markShuttingDown();
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      logger.error('Shutdown deadline passed; cutting open connections', { timeoutMs });
      for (const server of this.servers) server.closeAllConnections();
      exit(1);
    }, timeoutMs);
    deadline.unref();

    await Promise.all(this.servers.map((server) => closeServer(server)));
    for (const { name, close } of [...this.closers].reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error('Closer failed during shutdown', { closer: name, err: error });
      }
    }
    clearTimeout(deadline);
    if (!timedOut) {
      logger.info('Shutdown complete');
      exit(0);
    }
  }
}

/** Stops accepting, closes idle keep-alive sockets now and busy ones once their response is sent. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
    // A keep-alive socket that finishes its response becomes idle; close those too as they appear.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
    server.once('close', () => clearInterval(sweep));
  });
}
