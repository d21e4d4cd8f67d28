import { retryWithBackoff } from '@platform/resilience';
import type { DeliveryRetryPolicy, Notification } from '../../../domain';
import { type Clock, MailDeliveryError, type MailSender, type NotificationRepository } from '../../ports';

export interface SenderSettings extends DeliveryRetryPolicy {
  /** Notifications claimed (and sent concurrently) per run. */
  readonly batchSize: number;
  /** How long a claim keeps other senders off a notification; longer than any single send. */
  readonly leaseMs: number;
  /** First pause before saving the outcomes again after a failed save (default 100 ms; pauses grow to 20×). */
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

/** One run of the sender: claim due notifications, send each, store the outcome. */
export class SendPendingNotificationsUseCase {
  constructor(
    private readonly deps: {
      repository: NotificationRepository;
      mailSender: MailSender;
      clock: Clock;
      settings: SenderSettings;
    },
  ) {}

  /** `signal` (the sender stopping) ends the retries of saving the outcomes early; the first save always runs. */
  async execute(signal?: AbortSignal): Promise<DeliveryReport> {
    const { repository, clock, settings } = this.deps;
    const now = clock.now();
    const due = await repository.claimDue(now, new Date(now.getTime() + settings.leaseMs), settings.batchSize);
    const report: DeliveryReport = { claimed: due.length, sent: [], retrying: [], failed: [] };
    await Promise.all(due.map((notification) => this.deliver(notification)));
    await this.saveOutcomes(due, now.getTime() + settings.leaseMs / 2, signal);
    for (const notification of due) {
      const bucket = notification.status === 'sent' ? report.sent : notification.status === 'failed' ? report.failed : report.retrying;
      bucket.push(notification);
    }
    return report;
  }

  /**
   * The mails are out, so a database blip must not send them twice: saving is retried while the claim has
   * at least half its lease left. If it still fails, the leases run out and the mails go again: at least
   * once, never lost.
   */
  private async saveOutcomes(due: Notification[], retryUntil: number, signal?: AbortSignal): Promise<void> {
    const { repository, clock, settings } = this.deps;
    const baseDelayMs = settings.saveRetryBaseDelayMs ?? 100;
    await retryWithBackoff(() => repository.saveDeliveryOutcomes(due), {
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
