import { type Logger, requestContext } from '@platform/service-runtime';
import type { DeliveryReport, SendPendingNotificationsUseCase } from '../../application';
import type { Notification } from '../../domain';
import type { NotificationMetrics } from '../observability/notification-metrics';

export interface SenderLoopOptions {
  useCase: SendPendingNotificationsUseCase;
  batchSize: number;
  pollIntervalMs: number;
  logger: Logger;
  metrics: NotificationMetrics;
}

/**
 * Runs SendPendingNotifications in the background: again at once while it finds full batches, else after
 * the poll interval, or as soon as `wake()` says that new notifications were recorded. A failing run (e.g.
 * Postgres down) is logged and retried with a growing pause; it never stops the loop.
 */
export class SenderLoop {
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private consecutiveFailures = 0;
  private lastMailError: string | undefined;

  constructor(private readonly options: SenderLoopOptions) {}

  start(): void {
    this.running ??= this.run();
  }

  /** New notifications are waiting: run now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Finishes the run in progress (its sends and their bookkeeping), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.wakeUp?.();
    await this.running;
  }

  /** For a non-critical readiness check: the error of the last delivery attempt, if it failed. */
  mailProblem(): string | undefined {
    return this.lastMailError;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      let fullBatch = false;
      try {
        const report = await this.options.useCase.execute(this.stopping.signal);
        this.consecutiveFailures = 0;
        this.observe(report);
        fullBatch = report.claimed >= this.options.batchSize;
      } catch (error) {
        this.consecutiveFailures++;
        this.options.logger.warn('Sending pending notifications failed; trying again later', {
          err: error,
          consecutiveFailures: this.consecutiveFailures,
        });
      }
      if (!fullBatch && !this.stopped) await this.pause();
    }
  }

  private pause(): Promise<void> {
    if (this.woken) return Promise.resolve();
    const backoff = Math.min(30_000, this.options.pollIntervalMs * 2 ** Math.min(this.consecutiveFailures, 5));
    const ms = this.consecutiveFailures > 0 ? backoff : this.options.pollIntervalMs;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private observe(report: DeliveryReport): void {
    const { metrics, logger } = this.options;
    // Each line in the context of the request that caused the notification's event.
    const log = (level: 'info' | 'warn' | 'error', message: string, notification: Notification, extra: object = {}): void =>
      requestContext.run({ requestId: notification.correlationId }, () => {
        logger.log(level, message, { notificationId: notification.id, kind: notification.kind, attempts: notification.attempts, ...extra });
      });
    for (const notification of report.sent) {
      metrics.notificationsSent.inc({ kind: notification.kind });
      log('info', 'Notification sent', notification);
    }
    for (const notification of report.retrying) {
      metrics.notificationsFailed.inc({ kind: notification.kind, final: 'false' });
      log('warn', 'Notification not sent; will retry', notification, {
        nextAttemptAt: notification.nextAttemptAt,
        error: notification.lastError,
      });
    }
    for (const notification of report.failed) {
      metrics.notificationsFailed.inc({ kind: notification.kind, final: 'true' });
      log('error', 'Notification given up', notification, { error: notification.lastError });
    }
    const lastFailure = [...report.retrying, ...report.failed].at(-1);
    if (report.sent.length > 0) this.lastMailError = undefined;
    else if (lastFailure) this.lastMailError = lastFailure.lastError ?? 'delivery failed';
  }
}
