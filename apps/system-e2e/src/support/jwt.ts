import { createHmac, createPublicKey, sign, type KeyObject } from 'node:crypto';

/**
 * Hand-made JSON Web Tokens for broken-authentication probes. Built with node:crypto directly (not a JWT
 * library) so a test can produce exactly the malformed or forged token it means: unsigned, wrong
 * algorithm, foreign key, tampered payload.
 */
export type JwtPart = Record<string, unknown>;

const encode = (part: JwtPart): string => Buffer.from(JSON.stringify(part), 'utf8').toString('base64url');

export function decodeJwt(token: string): { header: JwtPart; payload: JwtPart; signature: string } {
  const [header, payload, signature = ''] = token.split('.');
  const decode = (part: string): JwtPart => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as JwtPart;
  return { header: decode(header), payload: decode(payload), signature };
}

/** `alg: none` (or another spelling of it), empty signature. */
export function unsignedJwt(header: JwtPart, payload: JwtPart, alg = 'none'): string {
  return `${encode({ ...header, alg })}.${encode(payload)}.`;
}

/** EdDSA (Ed25519) over the header and payload with `privateKey`. */
export function signEdDsaJwt(header: JwtPart, payload: JwtPart, privateKey: KeyObject): string {
  const input = `${encode({ ...header, alg: 'EdDSA' })}.${encode(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

/** HS256 with `secret`: the classic "public key as HMAC secret" algorithm confusion. */
export function signHs256Jwt(header: JwtPart, payload: JwtPart, secret: string | Buffer): string {
  const input = `${encode({ ...header, alg: 'HS256' })}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The token's own signature over a changed payload. */
export function tamperJwtPayload(token: string, changes: JwtPart): string {
  const [header, , signature] = token.split('.');
  const { payload } = decodeJwt(token);
  return `${header}.${encode({ ...payload, ...changes })}.${signature}`;
}

/** The forms a verifier might (wrongly) use as an HMAC secret for an Ed25519 public JWK. */
export function publicKeyAsSecrets(jwk: JwtPart): Array<{ form: string; secret: string | Buffer }> {
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  return [
    { form: 'SPKI PEM', secret: key.export({ type: 'spki', format: 'pem' }).toString() },
    { form: 'SPKI DER', secret: key.export({ type: 'spki', format: 'der' }) },
    { form: 'raw key bytes', secret: Buffer.from(String(jwk['x']), 'base64url') },
    { form: 'JWK JSON', secret: JSON.stringify(jwk) },
  ];
}
