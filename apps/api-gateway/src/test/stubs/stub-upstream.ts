/**
 * A real HTTP upstream for the gateway's tests, run as its own process (`node -r @swc-node/register`).
 * It echoes what it received (method, URL, headers, body digest) and obeys request headers:
 *   x-stub-delay-ms: wait before answering · x-stub-status: answer with this status ·
 *   x-stub-echo: raw → answer with the request body bytes · x-stub-cookies: n → n Set-Cookie headers ·
 *   x-stub-cache-control: answer with this Cache-Control ·
 *   x-stub-break-off: 1 → send the headers and part of the body, then drop the connection ·
 *   x-stub-reset-reused: 1 → reset the connection without answering if it carried a request before (as a
 *   server does that closes an idle keep-alive connection just as the next request arrives).
 * It also serves `/health/ready`, a JWKS (STUB_JWKS) and an OpenAPI document (STUB_OPENAPI), and counts the
 * proxied requests it saw (`GET /__stub/hits`, with the connections it reset and the readiness checks) so tests can prove the gateway
 * did not call it.
 * POST /users answers 201 (a sign-up), every other echo 200.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { stubOpenApiDocument } from './stub-openapi';

const port = Number(process.env['PORT']);
const jwks = process.env['STUB_JWKS'] ?? '{"keys":[]}';
const openApi = stubOpenApiDocument(process.env['STUB_OPENAPI']);
let hits = 0;
let resets = 0;
let readinessChecks = 0;
let readyStatus = 200;
const requestsPerConnection = new WeakMap<object, number>();

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/__stub/hits') return sendJson(res, 200, { hits, resets, readinessChecks });
  if (url.startsWith('/__stub/ready/')) {
    readyStatus = Number(url.slice('/__stub/ready/'.length));
    return sendJson(res, 200, { readyStatus });
  }
  if (url === '/health/ready') readinessChecks++;
  if (url === '/health/ready' || url === '/health/live')
    return sendJson(res, readyStatus, { status: readyStatus === 200 ? 'ok' : 'unavailable' });
  if (url === '/.well-known/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(jwks);
  }
  if (url === '/openapi.json') return openApi ? sendJson(res, 200, openApi) : sendJson(res, 404, { error: 'none' });

  hits++;
  const earlierRequests = requestsPerConnection.get(req.socket) ?? 0;
  requestsPerConnection.set(req.socket, earlierRequests + 1);
  if (req.headers['x-stub-reset-reused'] === '1' && earlierRequests > 0) {
    resets++;
    req.socket.resetAndDestroy();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const delayMs = Number(req.headers['x-stub-delay-ms'] ?? 0);
    setTimeout(() => {
      if (res.destroyed) return;
      const status = Number(req.headers['x-stub-status'] ?? (req.method === 'POST' && url.split('?')[0] === '/users' ? 201 : 200));
      const cookies = Number(req.headers['x-stub-cookies'] ?? 0);
      const headers: http.OutgoingHttpHeaders = { 'x-upstream': process.env['STUB_NAME'] ?? 'stub' };
      if (cookies > 0) headers['set-cookie'] = Array.from({ length: cookies }, (_, i) => `c${i}=v${i}; Path=/`);
      const cacheControl = req.headers['x-stub-cache-control'];
      if (typeof cacheControl === 'string') headers['cache-control'] = cacheControl;
      if (req.headers['x-stub-break-off'] === '1') {
        res.writeHead(status, { ...headers, 'content-type': 'text/plain', 'content-length': 1000 });
        res.write('the first part');
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      if (req.headers['x-stub-echo'] === 'raw') {
        res.writeHead(status, { ...headers, 'content-type': 'application/octet-stream', 'content-length': body.length });
        res.end(body);
        return;
      }
      res.writeHead(status, { ...headers, 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          url,
          headers: req.headers,
          bodyLength: body.length,
          bodySha256: createHash('sha256').update(body).digest('hex'),
          bodyText: body.length <= 64 * 1024 ? body.toString('utf8') : undefined,
        }),
      );
    }, delayMs);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`stub upstream listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
