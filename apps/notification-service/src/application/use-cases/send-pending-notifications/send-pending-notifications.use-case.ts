import type { DeliveryRetryPolicy, Notification } from '../../../domain';
import { type Clock, MailDeliveryError, type MailSender, type NotificationRepository } from '../../ports';

export interface SenderSettings extends DeliveryRetryPolicy {
  /** Notifications claimed (and sent concurrently) per run. */
  readonly batchSize: number;
  /** How long a claim keeps other senders off a notification; longer than any single send. */
  readonly leaseMs: number;
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

  async execute(): Promise<DeliveryReport> {
    const { repository, clock, settings } = this.deps;
    const now = clock.now();
    const due = await repository.claimDue(now, new Date(now.getTime() + settings.leaseMs), settings.batchSize);
    const report: DeliveryReport = { claimed: due.length, sent: [], retrying: [], failed: [] };
    await Promise.all(due.map((notification) => this.deliver(notification)));
    // If this write fails the leases run out and the mails go again: at least once, never lost.
    await repository.saveDeliveryOutcomes(due);
    for (const notification of due) {
      const bucket = notification.status === 'sent' ? report.sent : notification.status === 'failed' ? report.failed : report.retrying;
      bucket.push(notification);
    }
    return report;
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
