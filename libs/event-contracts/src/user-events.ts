import { z } from 'zod';
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN } from './email';
import { eventEnvelopeSchema, routingKeyOf } from './envelope';
import { NO_BIDI_CONTROLS, USER_NAME_MAX_LENGTH } from './user-name';

// The rules user-service's domain applies (see email.ts, user-name.ts): what it accepts, every consumer accepts.
const email = z.string().max(EMAIL_MAX_LENGTH).regex(EMAIL_PATTERN, 'must be a valid email address');
const name = z.string().min(1).max(USER_NAME_MAX_LENGTH).regex(NO_BIDI_CONTROLS, 'must not contain bidirectional control characters');
const userId = z.uuid();
const role = z.enum(['user', 'admin']);

/** Payloads. None carries a password or a hash, and `strictObject` rejects one that tries. */
export const userCreatedV1Payload = z.strictObject({ userId, email, name, role });

export const userUpdatedV1Payload = z
  .strictObject({
    userId,
    changedFields: z
      .array(z.enum(['name', 'email']))
      .min(1)
      .max(2),
    /** The values after the change. */
    name,
    email,
    /** Present exactly when the email changed: the address the user had before. */
    previousEmail: email.optional(),
  })
  .refine((p) => p.changedFields.includes('email') === (p.previousEmail !== undefined), {
    message: 'previousEmail must be present exactly when changedFields includes "email"',
    path: ['previousEmail'],
  });

const userSnapshot = z.strictObject({ userId, email, name });
export const userActivatedV1Payload = userSnapshot;
export const userDeactivatedV1Payload = userSnapshot;
export const userDeletedV1Payload = userSnapshot;

export const userCreatedV1 = eventEnvelopeSchema('user.created', 1, userCreatedV1Payload);
export const userUpdatedV1 = eventEnvelopeSchema('user.updated', 1, userUpdatedV1Payload);
export const userActivatedV1 = eventEnvelopeSchema('user.activated', 1, userActivatedV1Payload);
export const userDeactivatedV1 = eventEnvelopeSchema('user.deactivated', 1, userDeactivatedV1Payload);
export const userDeletedV1 = eventEnvelopeSchema('user.deleted', 1, userDeletedV1Payload);

export type UserCreatedV1 = z.infer<typeof userCreatedV1>;
export type UserUpdatedV1 = z.infer<typeof userUpdatedV1>;
export type UserActivatedV1 = z.infer<typeof userActivatedV1>;
export type UserDeactivatedV1 = z.infer<typeof userDeactivatedV1>;
export type UserDeletedV1 = z.infer<typeof userDeletedV1>;
export type UserEvent = UserCreatedV1 | UserUpdatedV1 | UserActivatedV1 | UserDeactivatedV1 | UserDeletedV1;
export type UserEventType = UserEvent['type'];

/** Schema of every user event, by routing key. The single list that publishers and consumers share. */
export const userEventSchemas = {
  'user.created.v1': userCreatedV1,
  'user.updated.v1': userUpdatedV1,
  'user.activated.v1': userActivatedV1,
  'user.deactivated.v1': userDeactivatedV1,
  'user.deleted.v1': userDeletedV1,
} as const;

export type UserEventRoutingKey = keyof typeof userEventSchemas;

export const USER_EVENT_ROUTING_KEYS = Object.keys(userEventSchemas) as UserEventRoutingKey[];

export const UserEventRoutingKeys = {
  created: 'user.created.v1',
  updated: 'user.updated.v1',
  activated: 'user.activated.v1',
  deactivated: 'user.deactivated.v1',
  deleted: 'user.deleted.v1',
} as const satisfies Record<string, UserEventRoutingKey>;

/** The routing key an event is published with. */
export function routingKeyOfEvent(event: Pick<UserEvent, 'type' | 'version'>): UserEventRoutingKey {
  return routingKeyOf(event.type, event.version) as UserEventRoutingKey;
}
