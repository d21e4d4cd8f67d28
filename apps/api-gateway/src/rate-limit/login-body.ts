import type { RequestHandler, Response } from 'express';
import { peekBody } from '../proxy/body-limit';

/**
 * The login limit is keyed by the email, which is in the body the proxy must still forward. This reads the
 * (small, limited) body, keeps its email for the limiter, and leaves the bytes in the request stream for
 * the proxy (`peekBody`). They go upstream with their Content-Length, also when the client sent them chunked.
 */
export function readLoginBody(limitBytes: number): RequestHandler {
  return async (req, res, next) => {
    const body = await peekBody(req, limitBytes);
    res.locals['loginEmail'] = emailIn(body);
    req.headers['content-length'] = String(body.length);
    delete req.headers['transfer-encoding'];
    next();
  };
}

export function loginEmailOf(res: Response): string {
  return (res.locals['loginEmail'] as string | undefined) ?? '';
}

/** The normalised `email` of a JSON body, or '' (the user-service rejects such a body anyway). */
function emailIn(body: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const email = typeof parsed === 'object' && parsed !== null ? (parsed as { email?: unknown }).email : undefined;
    return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 320) : '';
  } catch {
    return '';
  }
}
