import { retryWithBackoff } from '@platform/resilience';
import type { DeliveryRetryPolicy, Notification } from '../../../domain';
import { type Clock, MailDeliveryError, type MailSender, type NotificationRepository } from '../../ports';

export interface SenderSettings extends DeliveryRetryPolicy {
  /** Notifications claimed (and sent concurrently) per run. */
  readonly batchSize: number;
  /** How long a claim keeps other senders off a notification; longer than any single send. */
  readonly leaseMs: number;
  /** First pause before saving an outcome again after a failed save (default 100 ms; pauses grow to 20×). */
  readonly saveRetryBaseDelayMs?: number;
}

export interface DeliveryReport {
  readonly claimed: number;
  readonly sent: Notification[];
  /** Failed this time, due again later. */
  readonly retrying: Notification[];
  /** Given up: a permanent refusal or the last allowed attempt. */
  readonly failed: Notification[];
}

/**
 * One run of the sender: claim due notifications, send each, and store each outcome as soon as that mail is
 * out, so a crash (kill -9) re-sends only the mails whose send had not been recorded yet, not the whole
 * claimed batch.
 */
export class SendPendingNotificationsUseCase {
  constructor(
    private readonly deps: {
      repository: NotificationRepository;
      mailSender: MailSender;
      clock: Clock;
      settings: SenderSettings;
    },
  ) {}

  /**
   * `signal` (the sender stopping) ends the retries of saving an outcome early; the first save always runs.
   * Rejects with the first failed save once every mail of the batch has been dealt with.
   */
  async execute(signal?: AbortSignal): Promise<DeliveryReport> {
    const { repository, clock, settings } = this.deps;
    const now = clock.now();
    const due = await repository.claimDue(now, new Date(now.getTime() + settings.leaseMs), settings.batchSize);
    const retryUntil = now.getTime() + settings.leaseMs / 2;
    const saves = await Promise.allSettled(
      due.map(async (notification) => {
        await this.deliver(notification);
        await this.saveOutcome(notification, retryUntil, signal);
      }),
    );
    const failedSave = saves.find((save) => save.status === 'rejected');
    if (failedSave) throw failedSave.reason;
    const report: DeliveryReport = { claimed: due.length, sent: [], retrying: [], failed: [] };
    for (const notification of due) {
      const bucket = notification.status === 'sent' ? report.sent : notification.status === 'failed' ? report.failed : report.retrying;
      bucket.push(notification);
    }
    return report;
  }

  /**
   * The mail is out, so a database blip must not send it twice: saving is retried while the claim has at
   * least half its lease left. If it still fails, the lease runs out and the mail goes again: at least once,
   * never lost.
   */
  private async saveOutcome(notification: Notification, retryUntil: number, signal?: AbortSignal): Promise<void> {
    const { repository, clock, settings } = this.deps;
    const baseDelayMs = settings.saveRetryBaseDelayMs ?? 100;
    await retryWithBackoff(() => repository.saveDeliveryOutcome(notification), {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      baseDelayMs,
      maxDelayMs: baseDelayMs * 20,
      // Not the signal itself: the first attempt must happen even when the sender is stopping.
      shouldRetry: () => !signal?.aborted && clock.now().getTime() < retryUntil,
    });
  }

  private async deliver(notification: Notification): Promise<void> {
    const { mailSender, clock, settings } = this.deps;
    try {
      await mailSender.send({
        notificationId: notification.id,
        to: notification.recipient,
        subject: notification.content.subject,
        text: notification.content.text,
        html: notification.content.html,
      });
      notification.markSent(clock.now());
    } catch (error) {
      const permanent = error instanceof MailDeliveryError && error.permanent;
      const message = error instanceof Error ? error.message : String(error);
      notification.recordFailedAttempt(message, clock.now(), permanent, settings);
    }
  }
}
