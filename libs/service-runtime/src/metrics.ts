import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per app: default process metrics plus HTTP timings; apps register their own on it. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  /**
   * Times every request. The route label is the matched route template (`/users/:id`), or what a handler
   * put in `res.locals.routeTemplate` (the gateway's proxy prefixes), or `unmatched`: never the raw path,
   * which would make one time series per user id.
   */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const stop = this.httpRequestDuration.startTimer();
      res.once('finish', () => {
        const template =
          (res.locals['routeTemplate'] as string | undefined) ??
          (req.route ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}` : 'unmatched');
        stop({ method: req.method, route: template, status_code: String(res.statusCode) });
      });
      next();
    };
  }

  handler(): RequestHandler {
    return async (_req, res) => {
      res.setHeader('Content-Type', this.registry.contentType);
      res.send(await this.registry.metrics());
    };
  }
}
