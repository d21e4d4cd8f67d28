import type { Logger } from '@platform/messaging';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importPKCS8,
  type JWK,
  type JWTVerifyGetKey,
  type KeyLike,
} from 'jose';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface SigningKeys {
  /** Signs new tokens. */
  readonly privateKey: KeyLike;
  /** The `kid` header of new tokens. */
  readonly keyId: string;
  /** Public keys served at /.well-known/jwks.json: the current one first, then earlier ones (rotation). */
  readonly jwks: { keys: JWK[] };
  /** Verifies tokens with any key of `jwks`, by `kid`. */
  readonly verificationKey: JWTVerifyGetKey;
}

export interface SigningKeyOptions {
  /** Ed25519 PKCS8 PEM; without it an ephemeral key pair is generated (tokens die with the process). */
  privateKeyPem?: string;
  keyId?: string;
  /** Earlier public keys (JWKs with `kid`) that verify tokens still in circulation. */
  previousPublicKeys?: readonly JWK[];
  logger: Logger;
}

/** The service's token keys. Never logs key material. */
export async function loadSigningKeys(options: SigningKeyOptions): Promise<SigningKeys> {
  let privateKey: KeyLike;
  if (options.privateKeyPem) {
    privateKey = await importPKCS8(options.privateKeyPem, SIGNING_ALGORITHM, { extractable: true });
  } else {
    ({ privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true }));
    options.logger.warn(
      'JWT_PRIVATE_KEY is not set: signing tokens with an ephemeral key (tokens do not survive a restart, replicas do not share it)',
    );
  }
  const { kty, crv, x } = await exportJWK(privateKey);
  const publicJwk: JWK = { kty, crv, x };
  const keyId = options.keyId ?? (await calculateJwkThumbprint(publicJwk));
  const jwks = {
    keys: [
      { ...publicJwk, kid: keyId, alg: SIGNING_ALGORITHM, use: 'sig' },
      ...(options.previousPublicKeys ?? []).map((key) => ({ alg: SIGNING_ALGORITHM, use: 'sig', ...key })),
    ],
  };
  return { privateKey, keyId, jwks, verificationKey: createLocalJWKSet(jwks) };
}
