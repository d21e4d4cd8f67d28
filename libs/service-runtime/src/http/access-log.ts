import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

/** One line per finished request: method, path (no query string: it may carry secrets), status, duration. */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    // Skip all the work when the line would be dropped anyway (LOG_LEVEL=warn in benchmarks, say).
    if (!logger.isLevelEnabled('warn')) {
      next();
      return;
    }
    const started = performance.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger.log(level, 'HTTP request', {
        method: req.method,
        // originalUrl: req.path loses the mount prefix once a sub-router handled the request.
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    next();
  };
}
