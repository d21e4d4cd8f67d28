import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { HttpError } from '@platform/service-runtime';

/**
 * At most `limit` requests per client in progress at once on the routes it guards (login and sign-up,
 * whose bcrypt work upstream is expensive); more are answered 429 at once, with `Retry-After: 1`. One client
 * cannot queue up user-service's password work for everybody else. Counted per replica, in memory (a
 * request in progress is local by nature); the client is `req.ip`, as for the rate limits.
 */
export function perClientConcurrencyCap(limit: number): RequestHandler {
  const inProgress = new Map<string, number>();
  return (req, res, next) => {
    const client = ipKeyGenerator(req.ip ?? '');
    const current = inProgress.get(client) ?? 0;
    if (current >= limit) {
      next(
        new HttpError(429, 'RATE_LIMITED', 'Too many requests in progress from this client; retry shortly', undefined, {
          'Retry-After': '1',
        }),
      );
      return;
    }
    inProgress.set(client, current + 1);
    res.once('close', () => {
      const left = (inProgress.get(client) ?? 1) - 1;
      if (left > 0) inProgress.set(client, left);
      else inProgress.delete(client);
    });
    next();
  };
}
