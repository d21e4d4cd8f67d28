import http, { type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface RawRequest {
  method?: string;
  /** Sent as is (no URL normalisation, unlike fetch): `/api/users/../metrics` stays that. */
  path: string;
  headers?: http.OutgoingHttpHeaders;
  /** Written one after the other; without a Content-Length header the body goes chunked. */
  chunks?: Buffer[];
  /** Pause between chunks, so they really travel separately. */
  chunkDelayMs?: number;
}

/** One HTTP/1.1 request with node:http, for what fetch cannot express (raw paths, chunked uploads). */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        method: request.method ?? 'GET',
        path: request.path,
        headers: request.headers,
        agent: false,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(parts);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
      },
    );
    // The gateway may answer (413) and close before the whole upload went out: the answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    void (async () => {
      for (const chunk of request.chunks ?? []) {
        if (req.destroyed) return;
        req.write(chunk);
        if (request.chunkDelayMs) await new Promise((resolveDelay) => setTimeout(resolveDelay, request.chunkDelayMs));
      }
      req.end();
    })();
  });
}
