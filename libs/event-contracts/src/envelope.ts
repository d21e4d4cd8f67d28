import { z } from 'zod';

/** Where every user event is published. A durable topic exchange. */
export const USER_EVENTS_EXCHANGE = 'user.events';

/** Correlation ids come from request ids and similar: printable, bounded. */
const traceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be printable ASCII without spaces');

/**
 * The envelope shared by every integration event. `strict` everywhere: a field that is not in the
 * contract (a password, a hash) makes the whole message invalid instead of travelling along silently.
 */
export function eventEnvelopeSchema<Type extends string, Version extends number, Payload extends z.ZodType>(
  type: Type,
  version: Version,
  payload: Payload,
) {
  return z.strictObject({
    eventId: z.uuid(),
    type: z.literal(type),
    version: z.literal(version),
    occurredAt: z.iso.datetime({ offset: true }),
    aggregateId: z.uuid(),
    correlationId: traceId,
    causationId: traceId.nullable(),
    payload,
  });
}

/** The routing key of an event type at a version, e.g. `user.created.v1`. */
export function routingKeyOf(type: string, version: number): string {
  return `${type}.v${version}`;
}
