// The baseline of the cache-hit benchmark: a minimal Express 5 handler doing one ioredis GET of a value the
// size of a cached user, and nothing else (no auth, no validation, no logging, no metrics).
import express from 'express';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const key = process.env.BASELINE_KEY ?? 'baseline';

const app = express();
app.disable('etag');
app.disable('x-powered-by');
app.get('/health/ready', (_req, res) => {
  res.send('ok');
});
app.get('/users/:id', async (_req, res) => {
  res.type('application/json').send(await redis.get(key));
});
app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
