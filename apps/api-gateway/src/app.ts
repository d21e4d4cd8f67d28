import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { CircuitState } from '@platform/resilience';
import {
  createLogger,
  createRedisClient,
  createServiceApp,
  Health,
  JwtVerifier,
  listen,
  type Logger,
  Metrics,
  warnAboutDefaultCredentials,
} from '@platform/service-runtime';
import { type GatewayConfig, SERVICE_NAME } from './config/gateway-config';
import { docsRouter } from './docs/docs-router';
import { OpenApiAggregator } from './docs/openapi-aggregator';
import { registerReadinessChecks } from './health/readiness-checks';
import { corsPolicy, securityHeaders } from './http/security';
import { registerGatewayMetrics, startMetricsServer } from './observability/gateway-metrics';
import { apiRouter } from './proxy/api-routes';
import { PUBLIC_API_PREFIX } from './proxy/proxy-handler';
import { Upstream } from './proxy/upstream';
import { createRateLimiters } from './rate-limit/rate-limiters';

export interface GatewayAddresses {
  server: Server;
  metricsServer: Server;
  port: number;
  metricsPort: number;
}

export interface Gateway {
  app: Express;
  health: Health;
  upstreams: { userService: Upstream; notificationService: Upstream };
  /** Listens on PORT (the public API, `/health/live`) and METRICS_PORT (`/metrics`, `/health/ready`: internal). */
  start(): Promise<GatewayAddresses>;
  /** Closes Redis, the upstream sockets and the limiter timers (after the servers stopped). */
  closeResources(): Promise<void>;
  /** For tests and tools: stops both servers at once (cutting open connections), then closes resources. */
  stop(): Promise<void>;
}

/**
 * The gateway's object graph. Request path of a proxied call, all on Express's router:
 * request id → metrics → access log → helmet → CORS → general rate limit → [login: read body → per-client
 * concurrency cap → login limits (client + email, account)] [sign-up: concurrency cap] → bearer token (except
 * sign-up and login) → the whole body read (size, time, UTF-8, no byte order mark) → http-proxy-middleware
 * inside the upstream's circuit breaker (deadline, keep-alive agent) → response streamed back.
 */
export function buildGateway(config: GatewayConfig, deps: { logger?: Logger } = {}): Gateway {
  const logger = deps.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  warnAboutDefaultCredentials(logger, config.NODE_ENV, { REDIS_URL: config.REDIS_URL });
  const health = new Health();
  const metrics = new Metrics(SERVICE_NAME);
  // The rate-limit commands of one event-loop turn go to Redis as one write.
  const redis = createRedisClient({ url: config.REDIS_URL, logger, autoPipelining: true });

  const onCircuitChange = (change: { name: string; from: CircuitState; to: CircuitState }): void => {
    const level = change.to === 'OPEN' ? 'warn' : 'info';
    logger.log(level, 'Upstream circuit changed state', { upstream: change.name, from: change.from, to: change.to });
  };
  const upstream = (name: string, baseUrl: string): Upstream =>
    new Upstream({
      name,
      baseUrl,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      maxSockets: config.UPSTREAM_MAX_SOCKETS,
      freeSocketTimeoutMs: config.UPSTREAM_FREE_SOCKET_TIMEOUT_MS,
      circuit: {
        failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
        failureRate: config.CIRCUIT_FAILURE_RATE,
        windowMs: config.CIRCUIT_WINDOW_MS,
        resetTimeoutMs: config.CIRCUIT_RESET_TIMEOUT_MS,
        halfOpenMaxConcurrent: config.CIRCUIT_HALF_OPEN_MAX_CONCURRENT,
      },
      onCircuitChange,
    });
  const userService = upstream('user-service', config.USER_SERVICE_URL);
  const notificationService = upstream('notification-service', config.NOTIFICATION_SERVICE_URL);

  const verifier = new JwtVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwksUrl: config.JWKS_URL,
    cacheSize: config.JWT_CACHE_SIZE,
    maxTokenAgeSeconds: config.JWT_MAX_TOKEN_AGE_SECONDS,
  });
  const limiters = createRateLimiters({ config, redis, logger });
  const gatewayMetrics = registerGatewayMetrics(metrics, [userService, notificationService]);
  registerReadinessChecks(health, { userService, notificationService, redis });
  const docs = new OpenApiAggregator({
    sources: [
      { upstream: userService, prefixes: ['/users', '/auth'] },
      { upstream: notificationService, prefixes: ['/notifications'] },
    ],
    publicPrefix: PUBLIC_API_PREFIX,
    fetchTimeoutMs: config.DOCS_FETCH_TIMEOUT_MS,
    cacheTtlMs: config.DOCS_CACHE_TTL_MS,
    logger,
  });

  const api = apiRouter({
    userService,
    notificationService,
    verifier,
    loginLimiters: [limiters.login, limiters.loginAccount],
    body: { limitBytes: config.BODY_LIMIT_BYTES, timeoutMs: config.CLIENT_BODY_TIMEOUT_MS },
    loginBodyLimitBytes: config.LOGIN_BODY_LIMIT_BYTES,
    loginSignupConcurrencyPerClient: config.LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT,
    logger,
    onError: gatewayMetrics.upstreamError,
  });
  // No JSON body parser anywhere: proxied bodies stream through (a parser would consume them).
  const app = createServiceApp({
    logger,
    health,
    metrics,
    // /metrics and the detailed readiness are served on METRICS_PORT only (public: /health/live).
    exposeMetrics: false,
    exposeReadiness: false,
    routes: (root) => {
      root.set('trust proxy', config.TRUST_PROXY);
      root.use(securityHeaders(), corsPolicy(config.CORS_ORIGINS));
      root.use('/docs', docsRouter(docs));
      root.use(PUBLIC_API_PREFIX, limiters.general, api);
    },
  });

  let servers: Server[] = [];
  const closeResources = async (): Promise<void> => {
    limiters.close();
    userService.close();
    notificationService.close();
    await redis.quit().catch(() => redis.disconnect());
  };
  return {
    app,
    health,
    upstreams: { userService, notificationService },
    async start() {
      // Let the first Redis connection attempt finish so the first requests count in Redis; start anyway
      // when it is down (the rate limits have a degraded mode, see rate-limiters.ts).
      await redisReady(redis, 2_000);
      const server = await listen(app, config.PORT, config.HOST);
      const metricsServer = await startMetricsServer(metrics, health, config.METRICS_PORT, config.HOST);
      servers = [server, metricsServer];
      return {
        server,
        metricsServer,
        port: (server.address() as AddressInfo).port,
        metricsPort: (metricsServer.address() as AddressInfo).port,
      };
    },
    closeResources,
    async stop() {
      health.markShuttingDown();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      await closeResources();
    },
  };
}

/** Resolves once the first connection attempt to Redis ended (either way), or after `timeoutMs`. */
function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done).off('error', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done).once('error', done);
  });
}
