import type { SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TelemetryOptions {
  serviceName: string;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Extra span processors (tests pass one with an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Flushes buffered spans; call it from graceful shutdown. */
  shutdown(): Promise<void>;
}

const disabled: Telemetry = { enabled: false, shutdown: async () => undefined };

/**
 * Starts OpenTelemetry tracing with auto-instrumentation of http, express, pg, amqplib and ioredis, exporting
 * over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set, and doing nothing
 * otherwise (so an app without a collector pays nothing, not even the SDK's load time).
 *
 * Call it before anything imports express, pg, amqplib or ioredis: instrumentation patches modules as
 * they are first required. Each app does so from `src/instrumentation.ts`, the first import of main.ts.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  const extraProcessors = options.spanProcessors ?? [];
  if (env['OTEL_SDK_DISABLED'] === 'true' || (!endpoint && extraProcessors.length === 0)) return disabled;

  // Loaded lazily on purpose: the SDK is large and most local runs have no collector.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { AmqplibInstrumentation } =
    require('@opentelemetry/instrumentation-amqplib') as typeof import('@opentelemetry/instrumentation-amqplib');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');

  const spanProcessors = [...(endpoint ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })] : []), ...extraProcessors];
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the real traffic.
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new AmqplibInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
