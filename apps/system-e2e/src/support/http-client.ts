import http, { type IncomingHttpHeaders } from 'node:http';

/** A request sent exactly as written: the path is not normalised (`..`, `%2e`, odd encodings reach the server). */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with `Transfer-Encoding: chunked` instead of a `Content-Length`. */
  chunked?: boolean;
  timeoutMs?: number;
}

export interface RawReply {
  /** 0 when no answer came (see `failure`). */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  durationMs: number;
  /** Why no complete answer came: `timeout`, `ECONNRESET`, … */
  failure?: string;
}

export interface HttpClientOptions {
  maxSockets?: number;
  timeoutMs?: number;
  /** Sees every reply (e.g. to scan response bodies for secrets later). */
  onReply?: (reply: RawReply, request: RawRequest) => void;
}

/**
 * A small HTTP client on node:http with a keep-alive pool. Unlike fetch it sends paths byte for byte and
 * lets a test set any header (content types, encodings, chunked bodies), which abuse tests need.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly baseUrl: string,
    private readonly options: HttpClientOptions = {},
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port) || 80;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  }

  send(request: RawRequest): Promise<RawReply> {
    const started = performance.now();
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    return new Promise<RawReply>((resolve) => {
      let done = false;
      const finish = (reply: Omit<RawReply, 'durationMs'>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const complete = { ...reply, durationMs: Math.round(performance.now() - started) };
        this.options.onReply?.(complete, request);
        resolve(complete);
      };
      const headers: Record<string, string> = { ...request.headers };
      const body =
        request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
      if (body !== undefined && !request.chunked && !hasHeader(headers, 'content-length')) headers['content-length'] = String(body.length);
      if (request.chunked) headers['transfer-encoding'] = 'chunked';

      let req: http.ClientRequest;
      try {
        req = http.request({ agent: this.agent, host: this.host, port: this.port, method: request.method, path: request.path, headers });
      } catch (error) {
        // Thrown synchronously for paths or headers node:http refuses to send: a bug in the test's generator.
        finish({ status: 0, headers: {}, text: '', json: undefined, failure: `client refused to send: ${(error as Error).message}` });
        return;
      }
      const timer = setTimeout(() => {
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => finishWithError(error));
        res.on('close', () => {
          if (!res.complete) finishWithError(new Error('response cut off mid-body'));
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          finish({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
        });
      });
      const finishWithError = (error: NodeJS.ErrnoException): void => {
        const failure = error.message === 'timeout' ? 'timeout' : (error.code ?? error.message);
        finish({ status: 0, headers: {}, text: '', json: undefined, failure });
      };
      req.on('error', finishWithError);
      if (body === undefined) req.end();
      else if (request.chunked) {
        // A few chunks, so the server sees a real chunked stream.
        const size = Math.max(1, Math.ceil(body.length / 4));
        for (let offset = 0; offset < body.length; offset += size) req.write(body.subarray(offset, offset + size));
        req.end();
      } else req.end(body);
    });
  }

  /** A JSON request as a normal client makes it. */
  json(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<RawReply> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return this.send({ method, path, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  }

  close(): void {
    this.agent.destroy();
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What is wrong with an error reply, or undefined when it has the platform's error shape: JSON content
 * type, `{ error: { code, message, requestId } }`, and the request id equal to the `x-request-id` header.
 */
export function errorShapeProblem(reply: RawReply): string | undefined {
  const contentType = String(reply.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(contentType)) return `content-type is "${contentType || '(none)'}", not application/json`;
  if (!isRecord(reply.json) || !isRecord(reply.json['error'])) return 'body is not { error: {...} }';
  const { code, message, requestId } = reply.json['error'];
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) return `error.code is ${JSON.stringify(code)}`;
  if (typeof message !== 'string' || message.length === 0) return 'error.message is missing';
  if (typeof requestId !== 'string' || requestId.length === 0) return 'error.requestId is missing';
  if (reply.headers['x-request-id'] !== requestId)
    return `error.requestId ${requestId} differs from x-request-id ${String(reply.headers['x-request-id'])}`;
  return undefined;
}

/** The error code of an error reply (or undefined). */
export function errorCodeOf(reply: RawReply): string | undefined {
  return isRecord(reply.json) && isRecord(reply.json['error']) && typeof reply.json['error']['code'] === 'string'
    ? reply.json['error']['code']
    : undefined;
}

/** Every key anywhere in a JSON value (for "no passwordHash field anywhere" checks). */
export function keysDeep(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysDeep(item, into);
  else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysDeep(inner, into);
    }
  }
  return into;
}

/** Keys that would mean a secret travels where it must not. */
export const SECRET_KEY = /^(password|passwordHash|password_hash|hash|secret|salt)$/i;

/** Runs `work` over `items` with at most `concurrency` promises in flight; stops early when `shouldStop()`. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  return next;
}
