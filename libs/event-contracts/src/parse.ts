import { Result } from '@platform/shared-kernel';
import { routingKeyOf } from './envelope';
import { type UserEvent, type UserEventRoutingKey, userEventSchemas } from './user-events';

/**
 * Why a message is not a usable event. `NOT_JSON` and `CONTRACT_VIOLATION` are poison (dead-letter them);
 * `UNKNOWN_EVENT_TYPE` is a well-formed event this contract version does not know (ack and count it).
 */
export type EventParseError =
  | { readonly code: 'NOT_JSON'; readonly message: string }
  | { readonly code: 'UNKNOWN_EVENT_TYPE'; readonly message: string; readonly type: string; readonly version: unknown }
  | { readonly code: 'CONTRACT_VIOLATION'; readonly message: string; readonly issues: readonly ContractIssue[] };

export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

/** Validates an already-decoded value against the user event contracts. */
export function parseUserEvent(value: unknown): Result<UserEvent, EventParseError> {
  const head = value as { type?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || typeof head.type !== 'string') {
    return Result.fail({
      code: 'CONTRACT_VIOLATION',
      message: 'An event must be an object with a string "type"',
      issues: [{ path: 'type', message: 'required string' }],
    });
  }
  const key = routingKeyOf(head.type, Number(head.version)) as UserEventRoutingKey;
  const schema = Object.prototype.hasOwnProperty.call(userEventSchemas, key) ? userEventSchemas[key] : undefined;
  if (!schema) {
    return Result.fail({
      code: 'UNKNOWN_EVENT_TYPE',
      message: `Unknown event type ${head.type} v${String(head.version)}`,
      type: head.type,
      version: head.version,
    });
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return Result.ok(parsed.data as UserEvent);
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return Result.fail({
    code: 'CONTRACT_VIOLATION',
    message: `Event ${key} violates its contract: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`,
    issues,
  });
}

/** Decodes a message body (UTF-8 JSON) and validates it. */
export function parseUserEventMessage(body: Buffer | string): Result<UserEvent, EventParseError> {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return Result.fail({ code: 'NOT_JSON', message: 'Message body is not valid JSON' });
  }
  return parseUserEvent(value);
}
