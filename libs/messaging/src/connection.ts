import { EventEmitter } from 'node:events';
import { connect, type ChannelModel } from 'amqplib';
import { backoffDelay, retryWithBackoff, sleep, TimeoutError } from '@platform/resilience';
import { noopLogger } from './logger';
import type { Logger } from './types';

export type ConnectionSetup = (connection: ChannelModel) => Promise<void>;

export interface RabbitConnectionOptions {
  /** amqp://user:pass@host:port/vhost; tune with query parameters such as `?heartbeat=30`. */
  url: string;
  logger?: Logger;
  /** Shown in the broker's connection list (`connection_name`). */
  connectionName?: string;
  /** First reconnect delay cap; doubles per failed attempt, with full jitter. Default 500 ms. */
  reconnectBaseDelayMs?: number;
  /** Upper bound of any reconnect delay. Default 30 s. */
  reconnectMaxDelayMs?: number;
  /** TCP connect + AMQP handshake timeout per attempt. Default 10 s. */
  connectTimeoutMs?: number;
}

/** 'amqp://user:secret@host/vhost' → 'amqp://user:***@host/vhost' (also for unparsable strings). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/**
 * Owns one AMQP connection. Connects in the background, reconnects forever with exponential backoff and
 * full jitter, and runs every registered setup callback (topology, channels, consumers) on each
 * connection, in registration order. It counts as connected only once all setups succeeded; a failed
 * setup drops the connection so the whole set runs again on the next one.
 *
 * Events: 'connected' (), 'disconnected' (error?: Error).
 */
export class RabbitConnection extends EventEmitter {
  readonly redactedUrl: string;
  private readonly logger: Logger;
  private readonly setups: ConnectionSetup[] = [];
  private readonly stopSignal = new AbortController();
  private model: ChannelModel | undefined;
  private connected = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RabbitConnectionOptions) {
    super();
    this.redactedUrl = redactUrl(options.url);
    this.logger = options.logger ?? noopLogger;
  }

  /** Starts connecting in the background; idempotent. */
  start(): this {
    if (!this.loop && !this.isClosed()) this.loop = this.run();
    return this;
  }

  isConnected(): boolean {
    return this.connected;
  }

  isClosed(): boolean {
    return this.stopSignal.signal.aborted;
  }

  /** The live amqplib connection, once connected and set up. */
  current(): ChannelModel | undefined {
    return this.connected ? this.model : undefined;
  }

  /**
   * Registers a setup that runs on every (re)connection; if already connected it also runs now.
   * Returns a function that unregisters it.
   */
  onConnected(setup: ConnectionSetup): () => void {
    this.setups.push(setup);
    const model = this.current();
    if (model) {
      setup(model).catch((error: unknown) => this.failSetup(model, error));
    }
    return () => {
      const index = this.setups.indexOf(setup);
      if (index >= 0) this.setups.splice(index, 1);
    };
  }

  /** Resolves once connected (starting the connection if needed); rejects with TimeoutError after `timeoutMs`. */
  waitUntilConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.isClosed()) return Promise.reject(new Error('RabbitConnection is closed'));
    this.start();
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer);
        this.off('connected', onConnected);
        this.off('closed', onClosed);
        if (error) reject(error);
        else resolve();
      };
      const onConnected = (): void => done();
      const onClosed = (): void => done(new Error('RabbitConnection was closed'));
      const timer = setTimeout(
        () => done(new TimeoutError(timeoutMs, `RabbitMQ not connected after ${timeoutMs} ms (${this.redactedUrl})`)),
        timeoutMs,
      );
      this.on('connected', onConnected);
      this.on('closed', onClosed);
    });
  }

  /** Stops reconnecting and closes the connection (channels close with it). Idempotent. */
  async close(): Promise<void> {
    if (!this.isClosed()) {
      this.stopSignal.abort();
      this.emit('closed');
      const model = this.model;
      if (model) await model.close().catch(() => undefined);
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    let reconnecting = false;
    while (!this.isClosed()) {
      if (reconnecting) {
        // Also paces a connection that drops right after each successful connect.
        await sleep(backoffDelay(1, this.backoff()), this.stopSignal.signal).catch(() => undefined);
        if (this.isClosed()) return;
      }
      reconnecting = true;
      const opened = await this.connectWithRetry();
      if (!opened) return;
      const { model, closed } = opened;
      this.model = model;
      await this.runSetups(model);
      const error = await closed;
      this.model = undefined;
      const wasConnected = this.connected;
      this.connected = false;
      if (this.isClosed()) {
        this.logger.info('RabbitMQ connection closed', { url: this.redactedUrl });
      } else if (wasConnected || error) {
        this.logger.warn('RabbitMQ disconnected', { url: this.redactedUrl, error: error?.message });
      }
      this.emit('disconnected', error);
    }
  }

  private async connectWithRetry(): Promise<{ model: ChannelModel; closed: Promise<Error | undefined> } | undefined> {
    try {
      return await retryWithBackoff(() => this.connectOnce(), {
        maxAttempts: Number.MAX_SAFE_INTEGER,
        ...this.backoff(),
        signal: this.stopSignal.signal,
        onRetry: (error, attempt, delayMs) =>
          this.logger.warn('RabbitMQ connection attempt failed', {
            url: this.redactedUrl,
            attempt,
            retryInMs: delayMs,
            error: errorMessage(error),
          }),
      });
    } catch (error) {
      if (!this.isClosed()) this.logger.error('RabbitMQ reconnect loop ended', { error: errorMessage(error) });
      return undefined;
    }
  }

  private async connectOnce(): Promise<{ model: ChannelModel; closed: Promise<Error | undefined> }> {
    const model = await connect(this.options.url, {
      timeout: this.options.connectTimeoutMs ?? 10_000,
      // Without it, Nagle + delayed ACKs hold small frames (acks, confirms) back for up to ~40 ms.
      noDelay: true,
      clientProperties: this.options.connectionName ? { connection_name: this.options.connectionName } : {},
    });
    // Without an 'error' listener an emitted error would crash the process; 'close' follows it anyway.
    model.on('error', (error: Error) => this.logger.warn('RabbitMQ connection error', { error: error.message }));
    model.on('blocked', (reason: string) => this.logger.warn('RabbitMQ blocked the connection', { reason }));
    model.on('unblocked', () => this.logger.info('RabbitMQ unblocked the connection'));
    const closed = new Promise<Error | undefined>((resolve) => model.once('close', resolve));
    if (this.isClosed()) {
      await model.close().catch(() => undefined);
    }
    return { model, closed };
  }

  private async runSetups(model: ChannelModel): Promise<void> {
    try {
      for (const setup of [...this.setups]) {
        if (this.isClosed()) return;
        await setup(model);
      }
    } catch (error) {
      this.failSetup(model, error);
      return;
    }
    if (this.isClosed() || this.model !== model) return;
    this.connected = true;
    this.logger.info('RabbitMQ connected', { url: this.redactedUrl });
    this.emit('connected');
  }

  private failSetup(model: ChannelModel, error: unknown): void {
    if (this.isClosed() || this.model !== model) return;
    this.logger.error('RabbitMQ connection setup failed; reconnecting', {
      url: this.redactedUrl,
      error: errorMessage(error),
    });
    model.close().catch(() => undefined);
  }

  private backoff(): { baseDelayMs: number; maxDelayMs: number } {
    return {
      baseDelayMs: this.options.reconnectBaseDelayMs ?? 500,
      maxDelayMs: this.options.reconnectMaxDelayMs ?? 30_000,
    };
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
