import express, { type Express } from 'express';
import type { Health } from '../health';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { accessLog } from './access-log';
import { createErrorHandler, notFoundHandler } from './error-handler';
import { jsonBody } from './json-body';
import { requestIdMiddleware } from './request-id';

export interface ServiceAppOptions {
  logger: Logger;
  health: Health;
  metrics?: Metrics;
  /** Serve `/metrics` on this app (default true). The gateway serves it on an internal port instead. */
  exposeMetrics?: boolean;
  /** Serve `/health/ready` on this app (default true; `/health/live` always). The gateway serves it on an internal port instead. */
  exposeReadiness?: boolean;
  /** Parse JSON bodies up to this size (services); leave unset where bodies must stream (the gateway). */
  jsonBodyLimit?: string;
  /** Domain error code → HTTP status. */
  statusByCode?: Readonly<Record<string, number>>;
  /** Log one line per request (default true). */
  accessLog?: boolean;
  /**
   * `Cache-Control` of every answer unless a route sets its own. Default `no-store`: answers carry tokens and
   * personal data, which no browser or shared cache may keep; a route with public data says so itself.
   */
  cacheControl?: string;
  /** Mounts the app's own routes, after the common middleware and before the 404/error handlers. */
  routes: (app: Express) => void;
}

/**
 * The Express app every service starts from: request id, `Cache-Control: no-store`, metrics, access log,
 * health endpoints, `/metrics`, strict JSON bodies, the app's routes, then the JSON 404 and error handlers.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(requestIdMiddleware);
  const cacheControl = options.cacheControl ?? 'no-store';
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', cacheControl);
    // While draining, tell keep-alive clients to open their next request elsewhere.
    if (options.health.isShuttingDown) res.setHeader('Connection', 'close');
    next();
  });
  if (options.metrics) app.use(options.metrics.httpMiddleware());
  if (options.accessLog ?? true) app.use(accessLog(options.logger));
  app.use(options.health.router({ readiness: options.exposeReadiness ?? true }));
  if (options.metrics && (options.exposeMetrics ?? true)) app.get('/metrics', options.metrics.handler());
  if (options.jsonBodyLimit) app.use(jsonBody({ limit: options.jsonBodyLimit }));
  options.routes(app);
  app.use(notFoundHandler);
  app.use(createErrorHandler({ logger: options.logger, statusByCode: options.statusByCode }));
  return app;
}
