import express, { type RequestHandler } from 'express';
import { declaredCharsetError, startsWithByteOrderMark } from './body-encoding';
import { HttpError } from './http-error';

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** What body-parser reports when `verify` throws; the error handler maps the type to 400 MALFORMED_JSON. */
const BYTE_ORDER_MARK_TYPE = 'entity.byte.order.mark';

/**
 * Strict JSON request bodies: a body that is not `application/json` is a 415, so is one declared in another
 * charset than UTF-8, one over `limit` a 413, unparsable JSON or a leading byte order mark a 400 (the error
 * handler maps them). Requests without a body pass with `req.body` unset.
 */
export function jsonBody(options: { limit: string }): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (!hasBody(req)) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      return next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
    }
    next(declaredCharsetError(req.headers['content-type']));
  };
  // inflate: false — compressed request bodies are refused (415) rather than decompressed: nobody needs
  // them for small JSON, and a decompression bomb or a bogus Content-Encoding then costs nothing.
  // verify sees the raw bytes, before the decoder would strip a byte order mark.
  return [
    requireJson,
    express.json({
      limit: options.limit,
      strict: true,
      inflate: false,
      type: ['application/json', 'application/*+json'],
      verify: (_req, _res, body) => {
        if (startsWithByteOrderMark(body))
          throw Object.assign(new Error('Body starts with a byte order mark'), { type: BYTE_ORDER_MARK_TYPE });
      },
    }),
  ];
}
