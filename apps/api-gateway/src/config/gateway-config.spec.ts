import { gatewayConfig } from './gateway-config';

describe('gateway configuration', () => {
  it('runs on defaults alone (nx serve with no .env)', () => {
    const config = gatewayConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      METRICS_PORT: 9100,
      USER_SERVICE_URL: 'http://127.0.0.1:3001',
      NOTIFICATION_SERVICE_URL: 'http://127.0.0.1:3002',
      JWKS_URL: 'http://127.0.0.1:3001/.well-known/jwks.json',
      JWT_ISSUER: 'user-service',
      JWT_AUDIENCE: 'platform',
      TRUST_PROXY: false,
      CORS_ORIGINS: [],
      BODY_LIMIT_BYTES: 100 * 1024,
      LOGIN_BODY_LIMIT_BYTES: 16 * 1024,
    });
    expect(config.UPSTREAM_FREE_SOCKET_TIMEOUT_MS).toBeLessThan(65_000);
  });

  it('derives the JWKS URL from USER_SERVICE_URL unless set, and parses lists, sizes and trust proxy', () => {
    const config = gatewayConfig({
      USER_SERVICE_URL: 'http://users.internal:8080',
      CORS_ORIGINS: ' https://a.example.com ,https://b.example.com,',
      BODY_LIMIT: '2mb',
      TRUST_PROXY: '1',
    });
    expect(config.JWKS_URL).toBe('http://users.internal:8080/.well-known/jwks.json');
    expect(config.CORS_ORIGINS).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.BODY_LIMIT_BYTES).toBe(2 * 1024 * 1024);
    expect(config.TRUST_PROXY).toBe(1);
    expect(gatewayConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(gatewayConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(gatewayConfig({ JWKS_URL: 'http://keys.internal/jwks.json' }).JWKS_URL).toBe('http://keys.internal/jwks.json');
  });

  it('names every invalid variable', () => {
    const problems = (): string => {
      try {
        gatewayConfig({
          PORT: 'eighty',
          USER_SERVICE_URL: 'not a url',
          UPSTREAM_FREE_SOCKET_TIMEOUT_MS: '70000',
          LOGIN_BODY_LIMIT: 'lots',
        });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    for (const variable of ['PORT', 'USER_SERVICE_URL', 'UPSTREAM_FREE_SOCKET_TIMEOUT_MS', 'LOGIN_BODY_LIMIT']) {
      expect(problems()).toContain(`${variable}:`);
    }
  });
});
