import { randomBytes } from 'node:crypto';
import { requireInfrastructure } from '@platform/testing';
import { REAL_SERVICES_ENV, type RealServices, startRealServices } from './real-services';

declare global {
  var apiGatewayTestServices: RealServices | undefined;
}

/**
 * Once per run: fails loudly (never skips) when Redis, PostgreSQL or RabbitMQ does not answer; picks this
 * run's Redis key prefix; starts the real user-service and notification-service (production builds, own
 * databases and vhost). The test workers inherit what they need through the environment.
 */
export default async function globalSetup(): Promise<void> {
  await requireInfrastructure(['redis', 'postgres', 'rabbitmq']);
  const redisKeyPrefix = `api-gateway-test:${randomBytes(4).toString('hex')}:`;
  process.env['GATEWAY_TEST_REDIS_PREFIX'] = redisKeyPrefix;
  const services = await startRealServices();
  globalThis.apiGatewayTestServices = services;
  process.env[REAL_SERVICES_ENV.userServiceUrl] = services.userServiceUrl;
  process.env[REAL_SERVICES_ENV.notificationServiceUrl] = services.notificationServiceUrl;
  process.env[REAL_SERVICES_ENV.adminEmail] = services.admin.email;
  process.env[REAL_SERVICES_ENV.adminPassword] = services.admin.password;
}
