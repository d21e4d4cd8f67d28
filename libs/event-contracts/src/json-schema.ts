import { z } from 'zod';
import { type UserEventRoutingKey, userEventSchemas } from './user-events';

/** JSON Schema (draft 2020-12) of every user event, by routing key, for non-TypeScript consumers. */
export function userEventJsonSchemas(): Record<UserEventRoutingKey, Record<string, unknown>> {
  const entries = Object.entries(userEventSchemas).map(([key, schema]) => [
    key,
    z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>,
  ]);
  return Object.fromEntries(entries) as Record<UserEventRoutingKey, Record<string, unknown>>;
}
