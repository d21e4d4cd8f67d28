import type { RequestHandler, Response } from 'express';
import { canonicalEmail } from '@platform/event-contracts';
import { type BodyReadOptions, readRequestBody } from '../proxy/body-limit';

/**
 * The login limits are keyed by the email, which is in the body the proxy must still forward. This reads
 * the (small, limited) body once (`readRequestBody`: UTF-8 only, no byte order mark, so it is the text
 * user-service will parse), keeps its email in the canonical spelling user-service uses, and leaves the
 * bytes for the proxy. A refusal closes the connection if the body is still unread.
 */
export function readLoginBody(options: BodyReadOptions): RequestHandler {
  return (req, res, next) => {
    readRequestBody(req, options).then(
      (body) => {
        res.locals['loginEmail'] = emailIn(body);
        next();
      },
      (error: unknown) => {
        if (!req.complete) res.setHeader('Connection', 'close');
        next(error);
      },
    );
  };
}

export function loginEmailOf(res: Response): string {
  return (res.locals['loginEmail'] as string | undefined) ?? '';
}

/** The canonical `email` of a JSON body, or '' (user-service refuses such a body anyway). */
function emailIn(body: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const email = typeof parsed === 'object' && parsed !== null ? (parsed as { email?: unknown }).email : undefined;
    return typeof email === 'string' ? canonicalEmail(email).slice(0, 320) : '';
  } catch {
    return '';
  }
}
