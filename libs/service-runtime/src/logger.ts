import winston from 'winston';
import { isSensitiveKey, redact, REDACTED } from './redact';
import { requestContext } from './request-context';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Human-readable colored lines instead of JSON; defaults to "stdout is a terminal". */
  pretty?: boolean;
  /** Extra destinations (tests capture log lines with a stream transport). */
  transports?: winston.transport[];
}

const SPLAT = Symbol.for('splat');

/**
 * What one log line may carry, whatever its source: text from a message or a request (an event type, a
 * header, an error message quoting input) can be as long as its sender likes, and a megabyte log line is
 * a cheap way to flood the log pipeline. Long enough for a stack trace.
 */
export const LOG_LIMITS = { maxStringLength: 4_096, maxArrayItems: 100 } as const;

/** Adds the request id of the current request/message, then strips secrets from everything and caps its size. */
const contextAndRedaction = winston.format((info) => {
  const requestId = requestContext.requestId();
  if (requestId && info['requestId'] === undefined) info['requestId'] = requestId;
  for (const [key, value] of Object.entries(info)) {
    if (key !== 'level') info[key] = isSensitiveKey(key) && value != null ? REDACTED : redact(value, LOG_LIMITS);
  }
  delete (info as Record<symbol, unknown>)[SPLAT];
  return info;
});

/** JSON lines (one object per line) for machines; pretty lines on a terminal. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const format = pretty
    ? winston.format.combine(
        contextAndRedaction(),
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(({ level, message, timestamp, service: _service, ...meta }) => {
          const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${rest}`;
        }),
      )
    : winston.format.combine(contextAndRedaction(), winston.format.timestamp(), winston.format.json());
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format,
    transports: options.transports ?? [new winston.transports.Console()],
  });
}
