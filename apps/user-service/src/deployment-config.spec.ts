import { generateKeyPairSync } from 'node:crypto';
import { parseConfig } from '@platform/service-runtime';
import { kubernetesEnv } from '@platform/testing';
import { userServiceConfigSchema } from './config';

describe('k8s/user-service', () => {
  it('provides every variable the production config requires', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const env = kubernetesEnv('user-service', { JWT_PRIVATE_KEY: pem });
    const config = parseConfig(userServiceConfigSchema, env);
    expect(config.ok ? [] : config.error).toEqual([]);
    expect(config.ok && config.value.NODE_ENV).toBe('production');
  });

  it('would be refused without its Secret (the check is not vacuous)', () => {
    const { JWT_PRIVATE_KEY: _key, ...withoutKey } = kubernetesEnv('user-service');
    const config = parseConfig(userServiceConfigSchema, withoutKey);
    expect(config.ok ? [] : config.error.map((issue) => issue.variable)).toContain('JWT_PRIVATE_KEY');
  });
});
