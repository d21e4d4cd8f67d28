import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): never forwarded either way. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** Deletes the hop-by-hop headers, and those a `Connection: a, b` header names for this message. */
function removeHopByHopHeaders(headers: IncomingHttpHeaders): void {
  for (const token of headers.connection?.toLowerCase().split(',') ?? []) delete headers[token.trim()];
  for (const name of HOP_BY_HOP) delete headers[name];
}

/**
 * Before http-proxy copies the client's headers upstream (it copies `req.headers`, so they are cleaned
 * there): the client's connection headers stay at the gateway. Its `Connection: close` still applies to
 * its own connection.
 */
export function prepareRequestHeaders(req: IncomingMessage, res: ServerResponse): void {
  if (/\bclose\b/i.test(req.headers.connection ?? '')) res.setHeader('Connection', 'close');
  removeHopByHopHeaders(req.headers);
}

/**
 * Before http-proxy copies the upstream's answer to the client: the upstream's connection headers stay at
 * the gateway, and the client's connection keeps the gateway's own `Connection` header (`close` while it
 * drains or when the client asked), which http-proxy would otherwise set to `keep-alive`.
 */
export function prepareResponseHeaders(upstreamResponse: IncomingMessage, res: ServerResponse): void {
  removeHopByHopHeaders(upstreamResponse.headers);
  upstreamResponse.headers.connection = String(res.getHeader('connection') ?? 'keep-alive');
}
