// First: tracing must be set up before the instrumented libraries load.
import { telemetry } from './instrumentation';
import { GracefulShutdown, installProcessErrorHandlers, loadConfig, redactString } from '@platform/service-runtime';
import { buildUserService, SERVICE_NAME } from './app';
import { userServiceConfigSchema } from './config';

// An invalid configuration prints every offending variable (never a value) and exits 1.
const config = loadConfig(userServiceConfigSchema, process.env, SERVICE_NAME);

async function main(): Promise<void> {
  const service = await buildUserService(config);
  installProcessErrorHandlers(service.logger);
  const server = await service.listen();

  // GracefulShutdown closes the HTTP server first, then runs closers last-registered-first: registering them
  // in reverse makes them run as listed (relay, publisher, RabbitMQ, Redis, Prisma), telemetry last.
  const shutdown = new GracefulShutdown({ logger: service.logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, health: service.health });
  shutdown.addServer(server);
  shutdown.onShutdown('telemetry', () => telemetry.shutdown());
  for (const [name, close] of [...service.closers].reverse()) if (name !== 'http') shutdown.onShutdown(name, close);
  shutdown.listen();
}

main().catch((error: unknown) => {
  process.stderr.write(`${SERVICE_NAME} failed to start: ${redactString(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
