import http from 'node:http';
import { CircuitBreaker, type CircuitState } from '@platform/resilience';
import { countsAsUpstreamFailure } from './proxy-errors';

export interface UpstreamOptions {
  name: string;
  /** `http://host:port` of the service. */
  baseUrl: string;
  /** Deadline for the response headers (504 past it). */
  timeoutMs: number;
  maxSockets: number;
  /** Idle keep-alive sockets are closed after this (below the upstream's own keep-alive timeout). */
  freeSocketTimeoutMs: number;
  circuit: { failureThreshold: number; failureRate: number; windowMs: number; resetTimeoutMs: number; halfOpenMaxConcurrent: number };
  onCircuitChange?: (change: { name: string; from: CircuitState; to: CircuitState }) => void;
}

/**
 * One upstream service: where it is, its keep-alive agent and its circuit breaker. The proxy
 * (proxy-handler.ts) forwards through them; the health checks and the docs fetch JSON from it.
 */
export class Upstream {
  readonly name: string;
  readonly baseUrl: string;
  readonly agent: http.Agent;
  readonly breaker: CircuitBreaker;
  /** An upstream socket silent this long in the middle of an exchange is cut (never before the deadline). */
  readonly idleTimeoutMs: number;

  constructor(options: UpstreamOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:') throw new Error(`${options.name}: only http:// upstreams are supported`);
    this.name = options.name;
    this.baseUrl = url.origin;
    this.idleTimeoutMs = Math.max(options.timeoutMs, options.freeSocketTimeoutMs);
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      // Idle sockets close before the upstream's keepAliveTimeout (65 s) could close them under a request.
      timeout: options.freeSocketTimeoutMs,
      scheduling: 'lifo',
    });
    this.breaker = new CircuitBreaker({
      name: options.name,
      failureThreshold: options.circuit.failureThreshold,
      // The share of failures among recent calls, not failures in a row: a few timeouts among many answers
      // (one slow moment under load) must not cut every client off.
      failureRate: { threshold: options.circuit.failureRate, windowMs: options.circuit.windowMs },
      resetTimeoutMs: options.circuit.resetTimeoutMs,
      halfOpenMaxConcurrent: options.circuit.halfOpenMaxConcurrent,
      // The deadline for the response headers: a TimeoutError, which counts as a failure like any other.
      callTimeoutMs: options.timeoutMs,
      isFailure: countsAsUpstreamFailure,
      onStateChange: options.onCircuitChange,
    });
  }

  /** A GET of a JSON document (health checks, OpenAPI documents): no breaker; the caller's signal is the deadline. */
  getJson(path: string, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        new URL(path, this.baseUrl),
        { agent: this.agent, signal, headers: { accept: 'application/json' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.once('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: response.statusCode ?? 0, body: text.length > 0 ? JSON.parse(text) : undefined });
            } catch {
              reject(new Error(`${this.name}${path} did not return JSON`));
            }
          });
        },
      );
      request.on('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
