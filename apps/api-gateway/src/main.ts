// First: tracing must be set up before the instrumented libraries load.
import { telemetry } from './instrumentation';
import { createLogger, GracefulShutdown, installProcessErrorHandlers, loadConfig } from '@platform/service-runtime';
import { buildGateway } from './app';
import { deriveGatewayConfig, gatewayEnvSchema, SERVICE_NAME } from './config/gateway-config';

// Composition root: configuration, logger, the gateway, its servers and the shutdown sequence.
const config = deriveGatewayConfig(loadConfig(gatewayEnvSchema, process.env, SERVICE_NAME));

async function main(): Promise<void> {
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  installProcessErrorHandlers(logger);
  const gateway = buildGateway(config, { logger });
  const { server, metricsServer, port, metricsPort } = await gateway.start();
  new GracefulShutdown({ logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, health: gateway.health })
    .addServer(server)
    .addServer(metricsServer)
    .onShutdown('telemetry', () => telemetry.shutdown())
    .onShutdown('redis and upstream connections', () => gateway.closeResources())
    .listen();
  logger.info(`${SERVICE_NAME} listening`, {
    port,
    metricsPort,
    userService: config.USER_SERVICE_URL,
    notificationService: config.NOTIFICATION_SERVICE_URL,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${SERVICE_NAME} failed to start: ${String(error)}\n`);
  process.exit(1);
});
