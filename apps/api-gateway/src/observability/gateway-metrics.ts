import express from 'express';
import type { Server } from 'node:http';
import { Counter, Gauge } from 'prom-client';
import type { CircuitState } from '@platform/resilience';
import { type Health, listen, type Metrics } from '@platform/service-runtime';
import type { Upstream } from '../proxy/upstream';

const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

export interface GatewayMetrics {
  /** Counts an upstream exchange that failed (by the error code the client got). */
  upstreamError(upstream: string, code: string): void;
}

/** The gateway's own series on the app's registry: circuit state per upstream, upstream errors. */
export function registerGatewayMetrics(metrics: Metrics, upstreams: readonly Upstream[]): GatewayMetrics {
  new Gauge({
    name: 'gateway_upstream_circuit_state',
    help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
    labelNames: ['upstream'],
    registers: [metrics.registry],
    collect() {
      for (const upstream of upstreams) this.set({ upstream: upstream.name }, CIRCUIT_STATE_VALUE[upstream.breaker.state]);
    },
  });
  const errors = new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Proxied requests that failed at the gateway, by upstream and error code',
    labelNames: ['upstream', 'code'],
    registers: [metrics.registry],
  });
  return { upstreamError: (upstream, code) => errors.inc({ upstream, code }) };
}

/**
 * The internal port (METRICS_PORT): `/metrics` and the detailed readiness `/health/ready` (what Kubernetes
 * probes), besides `/health/live`. The public port serves neither, so scrapes and probes stay inside the
 * cluster network, and clients can neither read the series and the topology nor make the gateway check its
 * dependencies on demand.
 */
export function startMetricsServer(metrics: Metrics, health: Health, port: number, host: string): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metrics.handler());
  app.use(health.router());
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'Only /metrics, /health/live and /health/ready are served here' } });
  });
  return listen(app, port, host);
}
