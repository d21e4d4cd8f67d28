import { startTelemetry } from '@platform/telemetry';

/**
 * Tracing (OTLP) when OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing otherwise. The first import of main.ts:
 * instrumentation patches http, express and ioredis as they are first required, and the http client
 * instrumentation injects `traceparent` into every proxied request.
 */
export const telemetry = startTelemetry({ serviceName: 'api-gateway' });
