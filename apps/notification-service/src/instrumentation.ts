import { startTelemetry } from '@platform/telemetry';

/**
 * Tracing (OTLP) when OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing otherwise. The first import of main.ts:
 * instrumentation patches express, pg and amqplib as they are first required.
 */
export const telemetry = startTelemetry({ serviceName: 'notification-service' });
