import express, { type RequestHandler } from 'express';
import { declaredCharsetError, JSON_MEDIA_TYPES, jsonBytesProblem } from './body-encoding';
import { HttpError } from './http-error';

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** What body-parser reports when `verify` throws; the error handler maps the type to 400 MALFORMED_JSON. */
const NOT_PLAIN_UTF8 = 'entity.not.plain.utf8';

/**
 * Strict JSON request bodies: a body that is not `application/json` is a 415, so is one declared in another
 * charset than UTF-8, one over `limit` a 413, unparsable JSON, invalid UTF-8 or a leading byte order mark a 400 (the error
 * handler maps them). Requests without a body pass with `req.body` unset.
 */
export function jsonBody(options: { limit: string }): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (!hasBody(req)) return next();
    if (!req.is(JSON_MEDIA_TYPES)) {
      return next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
    }
    next(declaredCharsetError(req.headers['content-type']));
  };
  // inflate: false — compressed request bodies are refused (415) rather than decompressed: nobody needs
  // them for small JSON, and a decompression bomb or a bogus Content-Encoding then costs nothing.
  // verify sees the raw bytes, before the decoder would strip a byte order mark or replace invalid UTF-8.
  return [
    requireJson,
    express.json({
      limit: options.limit,
      strict: true,
      inflate: false,
      type: JSON_MEDIA_TYPES,
      verify: (_req, _res, body) => {
        const problem = jsonBytesProblem(body);
        if (problem !== undefined) throw Object.assign(new Error(problem), { type: NOT_PLAIN_UTF8 });
      },
    }),
  ];
}
