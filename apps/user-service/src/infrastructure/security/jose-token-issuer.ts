import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { AccessToken, TokenIssuer } from '../../domain/auth/token-issuer';
import type { Role } from '../../domain/user/role';
import { SIGNING_ALGORITHM, type SigningKeys } from './signing-keys';

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/**
 * Access tokens as EdDSA-signed JWTs with the claims JwtVerifier (service-runtime) checks: `sub`, `role`,
 * `iss`, `aud`, `iat`, `exp`, plus `jti`; the header names the key (`kid`) served in the JWKS.
 */
export class JoseTokenIssuer implements TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly settings: TokenSettings,
  ) {}

  async issue({ userId, role }: { userId: string; role: Role }): Promise<AccessToken> {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ role })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: this.keys.keyId, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.settings.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.settings.ttlSeconds };
  }
}
