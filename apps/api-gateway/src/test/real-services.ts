import { startSystem, startTestSmtpServer } from '@platform/testing';

/** What the test workers get (through the environment) to reach the real services of this run. */
export const REAL_SERVICES_ENV = {
  userServiceUrl: 'GATEWAY_TEST_USER_SERVICE_URL',
  notificationServiceUrl: 'GATEWAY_TEST_NOTIFICATION_SERVICE_URL',
  adminEmail: 'GATEWAY_TEST_ADMIN_EMAIL',
  adminPassword: 'GATEWAY_TEST_ADMIN_PASSWORD',
} as const;

export interface RealServices {
  userServiceUrl: string;
  notificationServiceUrl: string;
  admin: { email: string; password: string };
  stop(): Promise<void>;
}

/**
 * user-service and notification-service from their production builds, as real processes on free ports
 * with throwaway databases, vhost and Redis prefix (libs/testing startSystem) and a test SMTP server.
 */
export async function startRealServices(): Promise<RealServices> {
  const smtp = await startTestSmtpServer();
  try {
    const system = await startSystem({
      smtpUrl: smtp.url,
      name: 'gateway_test',
      apps: ['user-service', 'notification-service'],
      env: { 'user-service': { LOG_LEVEL: 'warn' }, 'notification-service': { LOG_LEVEL: 'warn' } },
    });
    return {
      userServiceUrl: system.userServiceUrl,
      notificationServiceUrl: system.notificationServiceUrl,
      admin: system.admin,
      stop: async () => {
        await system.stop();
        await smtp.close();
      },
    };
  } catch (error) {
    await smtp.close();
    throw error;
  }
}

/** In a test worker: the real services the global setup started. */
export function realServices(): Omit<RealServices, 'stop'> {
  const read = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: the api-gateway jest globalSetup starts the real services`);
    return value;
  };
  return {
    userServiceUrl: read(REAL_SERVICES_ENV.userServiceUrl),
    notificationServiceUrl: read(REAL_SERVICES_ENV.notificationServiceUrl),
    admin: { email: read(REAL_SERVICES_ENV.adminEmail), password: read(REAL_SERVICES_ENV.adminPassword) },
  };
}
