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

export function redactString(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A copy of `value` with secrets replaced: values under sensitive keys, and secret-looking substrings of
 * every string. Errors become plain objects (name, message, code, stack). Never mutates its input.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redactString(value.message),
      ...(code !== undefined ? { code } : {}),
      ...(value.stack ? { stack: redactString(value.stack) } : {}),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSensitiveKey(key) && inner !== undefined && inner !== null ? REDACTED : redact(inner, depth + 1, seen);
  }
  return copy;
}
