import { withTimeout } from '@platform/resilience';
import type { Logger } from '@platform/service-runtime';
import type { Upstream } from '../proxy/upstream';
import { mergeOpenApi, type OpenApiDocument, type ServiceDocument } from './merge-openapi';

export interface DocumentSource {
  upstream: Upstream;
  /** Service paths exposed through the gateway (`/users`, `/auth`). */
  prefixes: readonly string[];
}

export interface OpenApiAggregatorOptions {
  sources: DocumentSource[];
  publicPrefix: string;
  fetchTimeoutMs: number;
  cacheTtlMs: number;
  logger: Logger;
}

/**
 * Fetches every service's `/openapi.json` (each under a deadline), merges them, and reuses the result for
 * `cacheTtlMs` (a fifth of it when a service was missing, so the document heals soon). Concurrent callers
 * share one fetch.
 */
export class OpenApiAggregator {
  private cached?: { document: OpenApiDocument; expiresAt: number };
  private inFlight?: Promise<OpenApiDocument>;

  constructor(private readonly options: OpenApiAggregatorOptions) {}

  document(): Promise<OpenApiDocument> {
    if (this.cached && this.cached.expiresAt > Date.now()) return Promise.resolve(this.cached.document);
    this.inFlight ??= this.build().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async build(): Promise<OpenApiDocument> {
    const results = await Promise.all(this.options.sources.map((source) => this.fetchSource(source)));
    const available = results.filter((result): result is ServiceDocument => 'document' in result);
    const missing = results.filter((result): result is { service: string; reason: string } => 'reason' in result);
    const document = mergeOpenApi({ title: 'Platform API', version: '1.0.0', available, missing });
    const ttl = missing.length > 0 ? Math.ceil(this.options.cacheTtlMs / 5) : this.options.cacheTtlMs;
    this.cached = { document, expiresAt: Date.now() + ttl };
    return document;
  }

  private async fetchSource(source: DocumentSource): Promise<ServiceDocument | { service: string; reason: string }> {
    const service = source.upstream.name;
    try {
      const { status, body } = await withTimeout((signal) => source.upstream.getJson('/openapi.json', signal), this.options.fetchTimeoutMs);
      if (status !== 200 || typeof body !== 'object' || body === null || !('paths' in body)) {
        throw new Error(`answered ${status} without an OpenAPI document`);
      }
      return { service, prefixes: source.prefixes, publicPrefix: this.options.publicPrefix, document: body as OpenApiDocument };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn('OpenAPI document unavailable', { upstream: service, reason });
      return { service, reason };
    }
  }
}
