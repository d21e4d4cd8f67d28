import express from 'express';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { Health } from './health';
import { GracefulShutdown } from './shutdown';
import { captureLogger } from './test/capture-logger';
import { listen } from './http/listen';

function get(port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function startSlowServer() {
  const app = express();
  app.get('/slow', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 300));
    res.send('done');
  });
  app.get('/hang', () => undefined);
  const server = await listen(app, 0, '127.0.0.1');
  return { server, port: (server.address() as AddressInfo).port };
}

describe('listen', () => {
  it('answers a request head over the parser limit with a JSON 431', async () => {
    const { server, port } = await startSlowServer();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/slow`, { headers: { 'x-big': 'a'.repeat(20_000) } });
      expect(res.status).toBe(431);
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await res.json()).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: 'Request Header Fields Too Large', requestId } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('GracefulShutdown', () => {
  it('lets in-flight requests finish, refuses new connections, runs closers in reverse order, exits 0', async () => {
    const { server, port } = await startSlowServer();
    const { logger } = captureLogger();
    const health = new Health();
    const order: string[] = [];
    const exit = jest.fn();
    const shutdown = new GracefulShutdown({ logger, timeoutMs: 5_000, health, exit })
      .addServer(server)
      .onShutdown('database', () => {
        order.push('database');
      })
      .onShutdown('broker', async () => {
        await new Promise((r) => setTimeout(r, 10));
        order.push('broker');
      });

    const agent = new http.Agent({ keepAlive: true });
    await get(port, '/slow', agent); // leaves an idle keep-alive socket behind
    const inFlight = get(port, '/slow');
    await new Promise((r) => setTimeout(r, 50));
    const done = shutdown.shutdown('SIGTERM');

    expect(health.isShuttingDown).toBe(true);
    await expect(inFlight).resolves.toEqual({ status: 200, body: 'done' });
    await done;
    await expect(get(port, '/slow')).rejects.toThrow(/ECONNREFUSED/);
    expect(order).toEqual(['broker', 'database']);
    expect(exit).toHaveBeenCalledWith(0);
    agent.destroy();
  });

  it('keeps going when a closer fails', async () => {
    const { logger, lines } = captureLogger();
    const exit = jest.fn();
    const closed: string[] = [];
    await new GracefulShutdown({ logger, timeoutMs: 1_000, exit })
      .onShutdown('a', () => {
        closed.push('a');
      })
      .onShutdown('b', () => {
        throw new Error('b failed');
      })
      .shutdown('test');
    expect(closed).toEqual(['a']);
    expect(lines().some((l) => l['closer'] === 'b')).toBe(true);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('cuts hanging requests at the deadline and exits 1', async () => {
    const { server, port } = await startSlowServer();
    const { logger } = captureLogger();
    const exit = jest.fn();
    const shutdown = new GracefulShutdown({ logger, timeoutMs: 200, exit }).addServer(server);
    const hanging = get(port, '/hang').catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    void shutdown.shutdown('SIGTERM');
    await expect(hanging).resolves.toHaveProperty('message', expect.stringMatching(/socket hang up|ECONNRESET/));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('runs once however many signals arrive', async () => {
    const { logger } = captureLogger();
    const exit = jest.fn();
    const closer = jest.fn();
    const shutdown = new GracefulShutdown({ logger, timeoutMs: 1_000, exit }).onShutdown('x', closer);
    await Promise.all([shutdown.shutdown('SIGTERM'), shutdown.shutdown('SIGINT')]);
    expect(closer).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
