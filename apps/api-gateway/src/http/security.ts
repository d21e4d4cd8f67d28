import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { HttpError } from '@platform/service-runtime';

/**
 * helmet's headers on every response. The CSP is written out rather than helmet's default: the docs page
 * (Swagger UI) loads its scripts, styles and fonts from this origin only, needs inline styles and `data:`
 * images, and fetches the OpenAPI document and "Try it out" calls from this origin. No
 * `upgrade-insecure-requests`: the gateway itself is plain HTTP behind TLS termination, and a local
 * http:// docs page must not have its assets rewritten to https.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
}

/**
 * CORS for the origins in CORS_ORIGINS only (none by default). Requests without an Origin header are not
 * CORS requests and skip this entirely. A preflight from another origin is refused with 403 (the browser
 * blocks the call either way; the JSON says why), an actual request from one gets no CORS headers.
 */
export function corsPolicy(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const handler = cors({
    origin: [...allowed],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'traceparent', 'tracestate'],
    exposedHeaders: ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    maxAge: 600,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) next();
    else if (allowed.has(origin)) handler(req, res, next);
    else if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      next(new HttpError(403, 'CORS_ORIGIN_NOT_ALLOWED', `Origin ${origin} may not call this API`));
    } else next();
  };
}
