import { startTelemetry } from '@platform/telemetry';

/**
 * Tracing (OTLP) when OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing otherwise. The first import of main.ts:
 * instrumentation patches express, pg, amqplib and ioredis as they are first required.
 */
export const telemetry = startTelemetry({ serviceName: 'user-service' });
