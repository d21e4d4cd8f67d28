import { kubernetesEnv } from '@platform/testing';
import { parseNotificationServiceConfig } from './infrastructure/config';

describe('k8s/notification-service', () => {
  it('provides every variable the production config requires', () => {
    const config = parseNotificationServiceConfig(kubernetesEnv('notification-service'));
    expect(config.ok ? [] : config.error).toEqual([]);
    expect(config.ok && config.value.NODE_ENV).toBe('production');
  });

  it('would be refused without its Secret (the check is not vacuous)', () => {
    const { SMTP_URL: _smtp, ...withoutSmtp } = kubernetesEnv('notification-service');
    const config = parseNotificationServiceConfig(withoutSmtp);
    expect(config.ok ? [] : config.error.map((issue) => issue.variable)).toContain('SMTP_URL');
  });
});
