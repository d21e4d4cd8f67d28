import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestTokenIssuer {
  jwksUrl: string;
  /** An access token like user-service issues (EdDSA, iss user-service, aud platform). */
  sign(claims: { sub: string; role: 'user' | 'admin' }, options?: { expiresIn?: string | number; foreignKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** A locally generated EdDSA key served from a tiny JWKS endpoint, standing in for user-service. */
export async function startTestTokenIssuer(): Promise<TestTokenIssuer> {
  const keys = await generateKeyPair('EdDSA', { extractable: true });
  const foreign = await generateKeyPair('EdDSA', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'test-key', alg: 'EdDSA', use: 'sig' }] };
  const server: Server = express()
    .get('/.well-known/jwks.json', (_req, res) => {
      res.json(jwks);
    })
    .listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    sign: (claims, options = {}) =>
      new SignJWT({ role: claims.role })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
        .setSubject(claims.sub)
        .setIssuer('user-service')
        .setAudience('platform')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.foreignKey ? foreign.privateKey : keys.privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
