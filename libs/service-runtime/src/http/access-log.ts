import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

/** One line per finished request: method, path (no query string: it may carry secrets), status, duration. */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'warn' : 'info';
      logger.log(level, 'HTTP request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    next();
  };
}
