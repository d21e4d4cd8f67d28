import { type RequestHandler, Router } from 'express';
import { type JwtVerifier, requireAuth } from '@platform/service-runtime';
import { perClientConcurrencyCap } from '../rate-limit/concurrency-cap';
import { readLoginBody } from '../rate-limit/login-body';
import { type ProxyOptions, proxyTo, PUBLIC_API_PREFIX } from './proxy-handler';
import type { Upstream } from './upstream';

export interface ApiRoutesOptions extends ProxyOptions {
  userService: Upstream;
  notificationService: Upstream;
  verifier: JwtVerifier;
  /** Run after the login body was read: keyed by client and email, and by the account (email) alone. */
  loginLimiters: RequestHandler[];
  loginBodyLimitBytes: number;
  /** Logins and sign-ups one client may have in progress at once. */
  loginSignupConcurrencyPerClient: number;
}

/**
 * Path segments a server may read as another path: `.`/`..` (also percent-encoded), which could climb out
 * of a prefix, and empty ones (`/api/auth//login`), which could reach the login without its rate limit.
 */
const AMBIGUOUS_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|\/\//i;

const refuseAmbiguousPaths: RequestHandler = (req, _res, next) => {
  // 'router' leaves this router: the request ends at the app's JSON 404.
  next(AMBIGUOUS_SEGMENT.test(req.originalUrl.split('?', 1)[0]) ? 'router' : undefined);
};

/** The metrics route label (`/api/users/*`): never the raw path, which would make a series per id. */
const routeLabel =
  (template: string): RequestHandler =>
  (_req, res, next) => {
    res.locals['routeTemplate'] = template;
    next();
  };

/**
 * The proxied routes, mounted at `/api`; prefixes match whole segments (`/api/users/…`, not `/api/usersX`):
 *   /api/users/**          → user-service   (public: POST /api/users, the sign-up)
 *   /api/auth/**           → user-service   (public: POST /api/auth/login, with its own rate limit)
 *   /api/notifications/**  → notification-service
 * Every other request needs a valid bearer token (verified against user-service's JWKS; the Authorization
 * header is forwarded unchanged, the services verify it too). Other paths fall through to the JSON 404.
 */
export function apiRouter(options: ApiRoutesOptions): Router {
  const authenticate = requireAuth(options.verifier);
  const toUserService = proxyTo(options.userService, options);
  const toNotificationService = proxyTo(options.notificationService, options);
  const label = (path: string): RequestHandler => routeLabel(`${PUBLIC_API_PREFIX}${path}`);

  const router = Router();
  router.use(refuseAmbiguousPaths);
  // The two public routes that cost user-service a bcrypt hash each: at most a few in progress per client.
  const passwordWork = perClientConcurrencyCap(options.loginSignupConcurrencyPerClient);
  const loginBody = readLoginBody({ limitBytes: options.loginBodyLimitBytes, timeoutMs: options.body.timeoutMs });
  router.post('/users', label('/users/*'), passwordWork, toUserService);
  router.post('/auth/login', label('/auth/login'), loginBody, passwordWork, ...options.loginLimiters, toUserService);
  router.use('/users', label('/users/*'), authenticate, toUserService);
  router.use('/auth', label('/auth/*'), authenticate, toUserService);
  router.use('/notifications', label('/notifications/*'), authenticate, toNotificationService);
  return router;
}
