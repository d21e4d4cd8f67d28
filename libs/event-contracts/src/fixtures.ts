import type { UserActivatedV1, UserCreatedV1, UserDeactivatedV1, UserDeletedV1, UserEvent, UserUpdatedV1 } from './user-events';

/**
 * One valid example of every user event. Producers assert that what they emit has this shape;
 * consumers assert that they handle these. Both sides use the same objects (contract tests).
 */
const base = {
  aggregateId: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d',
  occurredAt: '2026-01-15T10:20:30.000Z',
  correlationId: 'req-7f3a2c',
  causationId: null,
};
const user = { userId: base.aggregateId, email: 'ada@example.com', name: 'Ada Lovelace' };

export const userEventFixtures = {
  created: {
    ...base,
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a01',
    type: 'user.created',
    version: 1,
    payload: { ...user, role: 'user' },
  } satisfies UserCreatedV1,
  updatedEmail: {
    ...base,
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a02',
    type: 'user.updated',
    version: 1,
    payload: { ...user, email: 'ada@new.example.com', changedFields: ['email'], previousEmail: user.email },
  } satisfies UserUpdatedV1,
  updatedName: {
    ...base,
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a03',
    type: 'user.updated',
    version: 1,
    payload: { ...user, name: 'Ada King', changedFields: ['name'] },
  } satisfies UserUpdatedV1,
  activated: {
    ...base,
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a04',
    type: 'user.activated',
    version: 1,
    payload: user,
  } satisfies UserActivatedV1,
  deactivated: {
    ...base,
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a05',
    type: 'user.deactivated',
    version: 1,
    payload: user,
  } satisfies UserDeactivatedV1,
  deleted: {
    ...base,
    eventId: '5d1f3b5e-1f7a-4b8e-9a41-2f0c9c3f6a06',
    type: 'user.deleted',
    version: 1,
    payload: user,
  } satisfies UserDeletedV1,
} as const satisfies Record<string, UserEvent>;
