import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { type Logger, sendError } from '@platform/service-runtime';
import { type BodyReadOptions, readRequestBody } from './body-limit';
import { prepareRequestHeaders, prepareResponseHeaders } from './forwarded-headers';
import { ClientAbortedError, describeCause, StaleConnectionError, toGatewayError, UpstreamServerError } from './proxy-errors';
import type { Upstream } from './upstream';

/** Public paths are the upstream's paths under this prefix: `/api/users/1?x=1` → `/users/1?x=1`. */
export const PUBLIC_API_PREFIX = '/api';

export interface ProxyOptions {
  /** Request bodies are read whole within these bounds before the upstream is dialled. */
  body: BodyReadOptions;
  logger: Logger;
  /** Told about every exchange that failed upstream-side (metrics). */
  onError?: (upstream: string, code: string) => void;
}

/**
 * One proxied request as the circuit breaker sees it: it succeeds when the upstream's response headers
 * arrive (below 500) and fails on a 5xx, a proxy error, the deadline or the client leaving. The first
 * outcome counts; on a failure the upstream request is dropped. The request body was read whole before,
 * so the deadline only ever measures the upstream.
 */
class Exchange {
  private upstreamRequest?: ClientRequest;
  private outcome: 'pending' | 'answered' | 'failed' = 'pending';

  constructor(private readonly settle: (error?: unknown) => void) {}

  attach(upstreamRequest: ClientRequest): void {
    this.upstreamRequest = upstreamRequest;
    if (this.outcome === 'failed') upstreamRequest.destroy();
  }

  answered(status: number): void {
    if (this.outcome !== 'pending') return;
    this.outcome = 'answered';
    this.settle(status >= 500 ? new UpstreamServerError(status) : undefined);
  }

  fail(error: unknown): void {
    if (this.outcome !== 'pending') return;
    this.outcome = 'failed';
    const stale = this.upstreamRequest?.reusedSocket === true && (error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET';
    this.upstreamRequest?.destroy();
    this.settle(stale ? new StaleConnectionError(error) : error);
  }

  /** The client's connection closed (also after every finished response: only then is the error made). */
  clientClosed(): void {
    if (this.outcome === 'pending') this.fail(new ClientAbortedError());
  }
}

/** Requests that may be sent twice (RFC 9110 §9.2.2) as long as they have no body to stream again. */
const REPLAYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function replayable(req: Request): boolean {
  const declaredLength = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (declaredLength !== undefined && declaredLength !== '0');
  return REPLAYABLE_METHODS.has(req.method) && !hasBody;
}

/**
 * The last handler of a proxied route. http-proxy-middleware forwards the request (path without `/api`,
 * bodies streamed both ways, the upstream's keep-alive agent, X-Forwarded-*) inside the upstream's circuit
 * breaker; a failed exchange becomes the common JSON error (502/503/504/413), logged once here with its
 * cause (it never reaches the app's error handler). A request without a body whose pooled connection the
 * upstream closed before answering (a replica shutting down) is sent once more on a fresh connection,
 * within the same breaker call; any other request gets the 502.
 */
export function proxyTo(upstream: Upstream, options: ProxyOptions): RequestHandler {
  const { logger } = options;
  const exchanges = new WeakMap<IncomingMessage, Exchange>();

  const proxy = createProxyMiddleware<Request, Response>({
    target: upstream.baseUrl,
    agent: upstream.agent,
    changeOrigin: true,
    xfwd: true,
    proxyTimeout: upstream.idleTimeoutMs,
    pathRewrite: (_path, req) => req.originalUrl.slice(PUBLIC_API_PREFIX.length),
    on: {
      proxyReq: (proxyReq, req) => exchanges.get(req)?.attach(proxyReq),
      proxyRes: (proxyRes, req, res) => {
        prepareResponseHeaders(proxyRes, res);
        // http-proxy pipes the body but leaves the client waiting when the upstream breaks off mid-body.
        proxyRes.once('error', () => res.destroy());
        exchanges.get(req)?.answered(proxyRes.statusCode ?? 502);
      },
      error: (error, req) => exchanges.get(req)?.fail(error),
    },
  });

  const answerFailure = (req: Request, res: Response, error: unknown): void => {
    // A 5xx was relayed as it is (it counted against the circuit); a client that left needs no answer.
    if (error instanceof UpstreamServerError || error instanceof ClientAbortedError) return;
    const gatewayError = toGatewayError(upstream.name, error);
    const { status, code } = gatewayError;
    if (status >= 500) {
      options.onError?.(upstream.name, code);
      // While a circuit is open every request fails the same way; its opening was logged (warn) already.
      logger.log(code === 'UPSTREAM_CIRCUIT_OPEN' ? 'debug' : 'warn', 'Upstream request failed', {
        upstream: upstream.name,
        status,
        code,
        cause: describeCause(error),
      });
    }
    // Part of the request body is still unread: close the connection after answering.
    if (!req.complete) res.setHeader('Connection', 'close');
    if (gatewayError.headers) res.set(gatewayError.headers);
    sendError(res, status, code, gatewayError.message, gatewayError.details);
  };

  return async (req, res) => {
    try {
      // The whole body first (413, 408, 415, 400 are the client's, and never reach the upstream or its circuit).
      await readRequestBody(req, options.body);
    } catch (error) {
      answerFailure(req, res, error);
      return;
    }
    // The client left while the request waited (body, rate limit, token check): nobody to answer, and
    // nothing to ask the upstream.
    if (res.destroyed) return;
    prepareRequestHeaders(req, res);
    const forward = (deadline?: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const exchange = new Exchange((error) => (error === undefined ? resolve() : reject(error)));
        exchanges.set(req, exchange);
        deadline?.addEventListener('abort', () => exchange.fail(deadline.reason), { once: true });
        res.once('close', () => exchange.clientClosed());
        void proxy(req, res, (error: unknown) => exchange.fail(error));
      });
    upstream.breaker
      .execute((deadline) =>
        forward(deadline).catch((error: unknown) => {
          if (error instanceof StaleConnectionError && replayable(req) && !deadline?.aborted && !res.destroyed) {
            logger.debug('Upstream closed a reused connection; sending the request again', { upstream: upstream.name });
            return forward(deadline);
          }
          throw error;
        }),
      )
      .catch((error: unknown) => answerFailure(req, res, error instanceof StaleConnectionError ? error.cause : error));
  };
}
