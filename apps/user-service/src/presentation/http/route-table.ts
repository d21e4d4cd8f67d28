import { randomUUID } from 'node:crypto';
import {
  bearerSecurityScheme,
  errorResponse,
  jsonBody,
  type JwtVerifier,
  type Principal,
  requestContext,
  validateRequest,
} from '@platform/service-runtime';
import type { Express, RequestHandler } from 'express';
import type { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';

type Method = 'get' | 'post' | 'patch' | 'delete';
type Schema = z.ZodType;
type Parsed<S> = S extends Schema ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The verified caller (routes with `auth: 'bearer'`). */
  principal: Principal;
  /** The request id; it becomes the correlation id of the events the request causes. */
  requestId: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP operation: how it is validated, documented and handled, in one place. */
export interface Route<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
> {
  method: Method;
  /** Express syntax, e.g. `/users/:id`. */
  path: string;
  summary: string;
  tag: string;
  auth: 'public' | 'bearer';
  params?: P;
  query?: Q;
  body?: B;
  /** Documented success response. */
  success: { status: number; description: string; schema?: Schema };
  /** Documented error statuses of this route besides the common ones (400/401/413/415/500 are added as they apply). */
  errors?: Record<number, string>;
  handle(input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<B>>): Promise<Reply> | Reply;
}

/** Keeps the types of one route's schemas and handler together. */
export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(route: Route<P, Q, B>): Route {
  return route as unknown as Route;
}

/**
 * Mounts every route as one handler: bearer check first (401 before 400), then strict validation, then the
 * route. Only routes with a body get the runtime's strict JSON body parsers (415 for non-JSON, 413 over
 * `bodyLimit`), and the token check runs inside the handler: reads, the hot path, cross three Express
 * layers (and promises) fewer per request.
 */
export function mountRoutes(app: Express, routes: readonly Route[], options: { verifier: JwtVerifier; bodyLimit: string }): void {
  const { verifier } = options;
  const bodyParsers = jsonBody({ limit: options.bodyLimit });
  for (const route of routes) {
    const handler: RequestHandler = async (req, res) => {
      const principal = route.auth === 'bearer' ? await verifier.verifyAuthorizationHeader(req.headers.authorization) : undefined;
      const reply = await route.handle({
        params: route.params ? validateRequest(route.params, req.params, 'params') : undefined,
        query: route.query ? validateRequest(route.query, req.query, 'query') : undefined,
        body: route.body ? validateRequest(route.body, req.body, 'body') : undefined,
        principal: principal as Principal,
        requestId: requestContext.requestId() ?? randomUUID(),
      });
      if (reply.headers) res.set(reply.headers);
      if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    };
    app[route.method](route.path, ...(route.body ? bodyParsers : []), handler);
  }
}

/** The OpenAPI 3.1 document of the routes, generated from the schemas that validate them. */
export function openApiDocument(routes: readonly Route[], info: { title: string; version: string; description?: string }) {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operationOf(route) };
  }
  return createDocument({ openapi: '3.1.0', info, paths, components: { securitySchemes: bearerSecurityScheme } });
}

function operationOf(route: Route): ZodOpenApiOperationObject {
  const errors: Record<number, string> = {};
  if (route.params || route.query || route.body) errors[400] = 'The request is invalid (VALIDATION_FAILED, MALFORMED_JSON)';
  if (route.auth === 'bearer') errors[401] = 'No valid bearer token (UNAUTHENTICATED)';
  Object.assign(errors, route.errors);
  if (route.body)
    Object.assign(errors, { 413: 'The body is too large (PAYLOAD_TOO_LARGE)', 415: 'The body is not JSON (UNSUPPORTED_MEDIA_TYPE)' });
  errors[500] = 'Unexpected failure (INTERNAL)';
  const { success } = route;
  return {
    summary: route.summary,
    tags: [route.tag],
    ...(route.auth === 'bearer' ? { security: [{ bearerAuth: [] }] } : {}),
    ...(route.params || route.query
      ? {
          requestParams: {
            ...(route.params ? { path: route.params as never } : {}),
            ...(route.query ? { query: route.query as never } : {}),
          },
        }
      : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses: {
      [success.status]: success.schema
        ? { description: success.description, content: { 'application/json': { schema: success.schema } } }
        : { description: success.description },
      ...Object.fromEntries(Object.entries(errors).map(([status, description]) => [status, errorResponse(description)])),
    },
  };
}
