import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { currentTraceHeaders, withTraceContext } from './trace-context';
import { startTelemetry } from './start-telemetry';

describe('trace context helpers', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });

  afterAll(async () => {
    await provider.shutdown();
    context.disable();
    propagation.disable();
    trace.disable();
  });

  it('is empty outside any span', () => {
    expect(currentTraceHeaders()).toEqual({});
  });

  it('carries the active span across a stored header into a child span', async () => {
    const tracer = trace.getTracer('test');
    let stored: Record<string, string> = {};
    tracer.startActiveSpan('http request', (span) => {
      stored = currentTraceHeaders();
      span.end();
    });
    expect(stored['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // Later, elsewhere (the outbox relay): continue that trace.
    await new Promise((resolve) => setTimeout(resolve, 5));
    withTraceContext({ traceparent: Buffer.from(stored['traceparent']) }, () => {
      tracer.startActiveSpan('publish', (span) => span.end());
    });

    const [request, publish] = exporter.getFinishedSpans();
    expect(publish.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(publish.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });

  it('runs the function unchanged without headers', () => {
    expect(withTraceContext(undefined, () => 42)).toBe(42);
  });
});

describe('startTelemetry', () => {
  it('is a no-op without an OTLP endpoint', async () => {
    const telemetry = startTelemetry({ serviceName: 'test', env: {} });
    expect(telemetry.enabled).toBe(false);
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });

  it('honours OTEL_SDK_DISABLED', () => {
    expect(
      startTelemetry({ serviceName: 'test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' } }).enabled,
    ).toBe(false);
  });
});
