// The floor of a Node proxy on this machine: node:http server + keep-alive agent + pipe, and nothing else
// (no auth, rate limit, request id, metrics, security headers, error mapping). The benchmark runs it next
// to the gateway to show how much of the gap to nginx is Node's HTTP stack and how much the gateway's work.
// Usage: PORT=… UPSTREAM=http://127.0.0.1:3001 node reference-proxy.mjs   (strips the /api prefix)
import http from 'node:http';

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:3001');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, timeout: 30_000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);

const server = http.createServer((req, res) => {
  const headers = {};
  for (const name in req.headers) if (!HOP_BY_HOP.has(name)) headers[name] = req.headers[name];
  headers.host = upstream.host;
  const upstreamReq = http.request(
    { agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url.slice(4), headers },
    (upstreamRes) => {
      for (const name in upstreamRes.headers) if (!HOP_BY_HOP.has(name)) res.setHeader(name, upstreamRes.headers[name]);
      res.writeHead(upstreamRes.statusCode);
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(upstreamReq);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`reference proxy on ${process.env.PORT}\n`));
process.on('SIGTERM', () => process.exit(0));
