import type { ErrorRequestHandler, RequestHandler } from 'express';
import { BulkheadFullError } from '@platform/resilience';
import type { Logger } from '../logger';
import { requestContext } from '../request-context';
import { isDependencyUnavailable } from './dependency-unavailable';
import { COMMON_STATUS_BY_CODE, type ErrorBody, HttpError } from './http-error';

export interface ErrorHandlerOptions {
  logger: Logger;
  /** The app's domain error codes → HTTP statuses; merged over the common table. */
  statusByCode?: Readonly<Record<string, number>>;
}

interface ResolvedError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Readonly<Record<string, string>>;
}

/** body-parser reports problems through `type`; map them to our codes. */
const BODY_PARSER_ERRORS: Readonly<Record<string, [number, string, string]>> = {
  'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  'entity.parse.failed': [400, 'MALFORMED_JSON', 'Request body is not valid JSON'],
  'entity.not.plain.utf8': [400, 'MALFORMED_JSON', 'Request body must be valid UTF-8 JSON, without a byte order mark'],
  'encoding.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported content encoding'],
  'charset.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported charset'],
  'request.aborted': [400, 'REQUEST_ABORTED', 'Request was aborted'],
  'request.size.invalid': [400, 'MALFORMED_REQUEST', 'Request size did not match Content-Length'],
  'stream.encoding.set': [500, 'INTERNAL', 'Internal server error'],
};

function resolve(error: unknown, table: Readonly<Record<string, number>>): ResolvedError | undefined {
  if (error instanceof HttpError) {
    return { status: error.status, code: error.code, message: error.message, details: error.details, headers: error.headers };
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code, message, details } = error as { type?: unknown; code?: unknown; message?: unknown; details?: unknown };
  if (typeof type === 'string' && BODY_PARSER_ERRORS[type]) {
    const [status, mappedCode, mappedMessage] = BODY_PARSER_ERRORS[type];
    return { status, code: mappedCode, message: mappedMessage };
  }
  if (typeof code === 'string' && table[code] !== undefined) {
    return { status: table[code], code, message: typeof message === 'string' ? message : code, details };
  }
  if (error instanceof BulkheadFullError) {
    // Load shed at once (too much expensive work in progress). A 4xx: the service is up and chose not to
    // take it on; the gateway's circuit breaker counts only 5xx and silence as the upstream's failures.
    return {
      status: 429,
      code: 'SERVICE_BUSY',
      message: 'The service is busy; retry shortly',
      headers: { 'Retry-After': '1' },
    };
  }
  if (isDependencyUnavailable(error)) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'A backing service is unavailable; retry shortly',
      headers: { 'Retry-After': '5' },
    };
  }
  if (error instanceof URIError) return { status: 400, code: 'MALFORMED_URL', message: 'The URL is not validly encoded' };
  // Express, body-parser and http-errors mark the client's faults with a 4xx status.
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: 'BAD_REQUEST', message: 'The request could not be processed' };
  }
  return undefined;
}

export function sendError(res: Parameters<RequestHandler>[1], status: number, code: string, message: string, details?: unknown): void {
  const body: ErrorBody = {
    error: { code, message, ...(details !== undefined ? { details } : {}), requestId: requestContext.requestId() },
  };
  res.status(status).json(body);
}

/**
 * The last middleware of every app. Known errors (HttpError, body-parser errors, errors whose `code` is in
 * the table) become `{ error: { code, message, details?, requestId } }` with their status; anything else is
 * logged with its stack and answered 500 INTERNAL with a generic message, never the stack.
 */
export function createErrorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  const table = { ...COMMON_STATUS_BY_CODE, ...options.statusByCode };
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = resolve(error, table);
    const path = req.originalUrl.split('?', 1)[0];
    if (!known) {
      options.logger.error('Request failed', { err: error, method: req.method, path });
    } else if (known.status >= 500) {
      // An expected failure (an upstream down, a breaker open): one line, no stack, however often it happens.
      options.logger.warn('Request failed', { code: known.code, status: known.status, method: req.method, path });
    }
    const { status, code, message, details, headers } = known ?? {
      status: 500,
      code: 'INTERNAL',
      message: 'Internal server error',
    };
    if (headers) res.set(headers);
    sendError(res, status, code, message, details);
  };
}

/** 404 for every path no router claimed. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
