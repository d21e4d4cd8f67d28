import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Starts listening. Keep-alive outlives typical proxy/load-balancer idle timeouts (60 s) so they, not we,
 * close idle connections, avoiding the race where we close a socket they are about to reuse.
 */
export function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 30_000;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
    server.listen(port, host);
  });
}
