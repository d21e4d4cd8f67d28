import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { isWellFormedRequestId, requestContext } from '../request-context';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Keeps a well-formed incoming `x-request-id` (else makes one), echoes it on the response and runs the
 * rest of the request inside a context, so every log line and outgoing call of the request carries it.
 */
export const requestIdMiddleware: RequestHandler = (req, res, next) => {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const requestId = isWellFormedRequestId(incoming) ? incoming : randomUUID();
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  requestContext.run({ requestId }, next);
};
