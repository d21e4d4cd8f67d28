import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * W3C trace context (`traceparent`, `tracestate`) of the active span, as plain headers. Empty when tracing
 * is off or no span is active. Stored with an outbox row so the event, published later by the relay,
 * continues the trace of the request that caused it.
 */
export function currentTraceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/** Runs `fn` as a continuation of the trace described by `headers` (e.g. a stored `traceparent`). */
export function withTraceContext<T>(headers: Record<string, unknown> | undefined, fn: () => T): T {
  if (!headers) return fn();
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === 'string') carrier[key.toLowerCase()] = value;
    else if (Buffer.isBuffer(value)) carrier[key.toLowerCase()] = value.toString('utf8');
  }
  return context.with(propagation.extract(ROOT_CONTEXT, carrier), fn);
}
