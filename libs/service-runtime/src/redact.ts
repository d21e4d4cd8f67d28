/** Keys whose values are secrets wherever they appear (any nesting, any case). */
const SENSITIVE_KEY = /pass(word|wd|phrase)?$|^pwd$|secret|token|authorization|cookie|hash|api[-_]?key|private[-_]?key|credential/i;

export const REDACTED = '[REDACTED]';

/** Secrets that may hide inside free text (error messages, URLs, headers dumped as strings). */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // user:password@ in connection strings
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)[^@\s/]+@/gi, `$1${REDACTED}@`],
  [/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, `Bearer ${REDACTED}`],
  // JWTs (header.payload.signature, base64url, header starts with {" → eyJ)
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // bcrypt hashes
  [/\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}/g, REDACTED],
];

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** Caps for what one log line may carry; unset: no cap. */
export interface RedactLimits {
  /** Longer strings are cut (after redaction, so a cut never splits a secret out of its pattern). */
  maxStringLength?: number;
  /** Longer arrays keep their first items. */
  maxArrayItems?: number;
}

function capString(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, max)}…[${text.length - max} more characters]`;
}

export function redactString(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A copy of `value` with secrets replaced: values under sensitive keys, and secret-looking substrings of
 * every string; strings and arrays cut to `limits`. Errors become plain objects (name, message, code,
 * stack). Never mutates its input.
 */
export function redact(value: unknown, limits: RedactLimits = {}, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return capString(redactString(value), limits.maxStringLength);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const inner = (item: unknown): unknown => redact(item, limits, depth + 1, seen);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: inner(value.message),
      ...(code !== undefined ? { code: inner(code) } : {}),
      ...(value.stack ? { stack: inner(value.stack) } : {}),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (Array.isArray(value)) {
    const max = limits.maxArrayItems ?? value.length;
    const items = value.slice(0, max).map(inner);
    return value.length > max ? [...items, `…[${value.length - max} more items]`] : items;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSensitiveKey(key) && item !== undefined && item !== null ? REDACTED : inner(item);
  }
  return copy;
}
