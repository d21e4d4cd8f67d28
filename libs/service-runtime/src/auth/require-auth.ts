import type { RequestHandler, Response } from 'express';
import { type JwtVerifier, type Principal, UnauthenticatedError } from './jwt-verifier';

/** Rejects the request with 401 unless it carries a valid bearer token; stores the caller for handlers. */
export function requireAuth(verifier: JwtVerifier): RequestHandler {
  return async (req, res, next) => {
    res.locals['principal'] = await verifier.verifyAuthorizationHeader(req.headers.authorization);
    next();
  };
}

/** The verified caller of a request that passed `requireAuth`. */
export function principalOf(res: Response): Principal {
  const principal = res.locals['principal'] as Principal | undefined;
  if (!principal) throw new UnauthenticatedError();
  return principal;
}
