import express, { type RequestHandler } from 'express';
import { HttpError } from './http-error';

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Strict JSON request bodies: a body that is not `application/json` is a 415, one over `limit` a 413,
 * unparsable JSON a 400 (the error handler maps them). Requests without a body pass with `req.body` unset.
 */
export function jsonBody(options: { limit: string }): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
      next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
      return;
    }
    next();
  };
  // inflate: false — compressed request bodies are refused (415) rather than decompressed: nobody needs
  // them for small JSON, and a decompression bomb or a bogus Content-Encoding then costs nothing.
  return [
    requireJson,
    express.json({ limit: options.limit, strict: true, inflate: false, type: ['application/json', 'application/*+json'] }),
  ];
}
