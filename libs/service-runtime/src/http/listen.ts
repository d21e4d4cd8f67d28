import type { Express } from 'express';
import type { Server } from 'node:http';

/**
 * Starts listening. Keep-alive outlives typical proxy/load-balancer idle timeouts (60 s) so they, not we,
 * close idle connections, avoiding the race where we close a socket they are about to reuse.
 */
export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 30_000;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
