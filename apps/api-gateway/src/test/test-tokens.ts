import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export interface TestSigningKey {
  kid: string;
  /** The public key set to serve as `/.well-known/jwks.json`. */
  jwks: { keys: object[] };
  /** An access token like user-service's (EdDSA, iss user-service, aud platform, 15 min), claims overridable. */
  sign(
    claims?: JWTPayload & { role?: string },
    options?: { expiresIn?: string | number; issuer?: string; audience?: string },
  ): Promise<string>;
}

export async function createSigningKey(kid = 'test-key'): Promise<TestSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return {
    kid,
    jwks: { keys: [jwk] },
    sign: (claims = {}, options = {}) =>
      new SignJWT({ role: 'user', ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setSubject(typeof claims.sub === 'string' ? claims.sub : '00000000-0000-4000-8000-000000000001')
        .setIssuer(options.issuer ?? 'user-service')
        .setAudience(options.audience ?? 'platform')
        .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : undefined)
        .setExpirationTime(options.expiresIn ?? '15m')
        .sign(privateKey),
  };
}

/** A token with `alg: none` (unsigned): must never be accepted. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
