// First: tracing must be set up before the instrumented libraries load.
import { telemetry } from './instrumentation';
import { GracefulShutdown, installProcessErrorHandlers, listen } from '@platform/service-runtime';
import { buildNotificationService } from './app';
import { loadNotificationServiceConfig, SERVICE_NAME } from './infrastructure/config';

async function main(): Promise<void> {
  const config = loadNotificationServiceConfig();
  const service = buildNotificationService(config);
  const { logger } = service;
  installProcessErrorHandlers(logger);

  service.start();
  const server = await listen(service.app, config.PORT, config.HOST);
  const shutdown = new GracefulShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, health: service.health }).addServer(server);
  // Closers run in reverse order of registration: register the last step first (telemetry flushes last).
  shutdown.onShutdown('telemetry', () => telemetry.shutdown());
  for (const step of [...service.shutdownSteps].reverse()) shutdown.onShutdown(step.name, step.close);
  shutdown.listen();

  logger.info(`${SERVICE_NAME} listening`, { port: config.PORT, queue: config.CONSUMER_QUEUE });
  logger.info(`Mail goes to ${service.mailDestination}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${SERVICE_NAME} failed to start: ${String(error)}\n`);
  process.exit(1);
});
