import { Counter, Gauge, type Registry } from 'prom-client';

/** The service's own metrics, on the app's registry (served at /metrics with the HTTP and process ones). */
export class NotificationMetrics {
  readonly consumerProcessed: Counter<'routing_key'>;
  readonly consumerRetried: Counter<'routing_key'>;
  readonly consumerDeadLettered: Counter<'reason'>;
  readonly consumerUnknownEventTypes: Counter<'event_type'>;
  readonly notificationsSent: Counter<'kind'>;
  readonly notificationsFailed: Counter<'kind' | 'final'>;

  constructor(registry: Registry, countPending: () => Promise<number>) {
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers: [registry] });
    this.consumerProcessed = counter(
      'notification_consumer_processed_total',
      'User event messages handled and acked (duplicates included)',
      ['routing_key'],
    );
    this.consumerRetried = counter(
      'notification_consumer_retried_total',
      'User event messages sent to a retry queue after a handler failure',
      ['routing_key'],
    );
    this.consumerDeadLettered = counter(
      'notification_consumer_dead_lettered_total',
      'User event messages moved to the dead-letter queue, by reason',
      ['reason'],
    );
    this.consumerUnknownEventTypes = counter(
      'notification_consumer_unknown_event_types_total',
      'Well-formed events of a type or version this service does not know (acked, not handled)',
      ['event_type'],
    );
    this.notificationsSent = counter('notifications_sent_total', 'Notifications the mail server accepted', ['kind']);
    this.notificationsFailed = counter(
      'notifications_failed_total',
      'Failed delivery attempts; final="true" when the notification was given up',
      ['kind', 'final'],
    );
    new Gauge({
      name: 'notifications_pending',
      help: 'Notifications waiting to be sent',
      registers: [registry],
      async collect() {
        // A scrape while Postgres is down reports NaN rather than failing the whole scrape.
        this.set(await countPending().catch(() => Number.NaN));
      },
    });
  }
}
