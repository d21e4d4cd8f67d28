import {
  baseConfigShape,
  createLogger,
  createServiceApp,
  GracefulShutdown,
  Health,
  installProcessErrorHandlers,
  listen,
  loadConfig,
  Metrics,
} from '@platform/service-runtime';
import { z } from 'zod';

const SERVICE = 'notification-service';

const config = loadConfig(
  z.object({ ...baseConfigShape, PORT: z.coerce.number().int().min(1).max(65_535).default(3002) }),
  process.env,
  SERVICE,
);

async function main(): Promise<void> {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  installProcessErrorHandlers(logger);
  const health = new Health();
  const metrics = new Metrics(SERVICE);
  const app = createServiceApp({ logger, health, metrics, routes: () => undefined });
  const server = await listen(app, config.PORT, config.HOST);
  new GracefulShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, health }).addServer(server).listen();
  logger.info(`${SERVICE} listening`, { port: config.PORT });
}

main().catch((error: unknown) => {
  process.stderr.write(`${SERVICE} failed to start: ${String(error)}\n`);
  process.exit(1);
});
