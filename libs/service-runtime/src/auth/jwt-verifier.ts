import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { HttpError } from '../http/http-error';

export type Role = 'user' | 'admin';

/** Who is calling, as proven by a verified access token. */
export interface Principal {
  readonly userId: string;
  readonly role: Role;
}

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** Where to fetch the signing keys (user-service's `/.well-known/jwks.json`)… */
  jwksUrl?: string;
  /** …or the key set / key itself (user-service verifies with its own keys). */
  key?: JWTVerifyGetKey | KeyLike;
  algorithms?: string[];
  /** Shortest time between two key set fetches, even for unknown key ids (protects user-service). */
  jwksCooldownMs?: number;
  /** Verified tokens remembered (until they expire) so hot paths skip the signature check. 0 disables. */
  cacheSize?: number;
  /**
   * A token issued (`iat`) longer ago than this is refused whatever its `exp` says, and so is one issued in
   * the future. Default 86 400 s (the longest access token user-service can issue); keep it at or above the
   * issuer's token lifetime.
   */
  maxTokenAgeSeconds?: number;
  /** Clock skew allowed between issuer and verifier for `exp`, `iat` and `nbf`. Default 5 s. */
  clockToleranceSeconds?: number;
}

export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 86_400;

/** `sub` is a user id: a UUID, like every id the services store. */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `Authorization: Bearer <jwt>`: the scheme is case-insensitive (RFC 9110 §11.1), one or more spaces follow it. */
const BEARER = /^bearer +([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*)$/i;

export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA'];

export class UnauthenticatedError extends HttpError {
  constructor(message = 'A valid bearer token is required') {
    super(401, 'UNAUTHENTICATED', message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

/**
 * Verifies access tokens: signature (EdDSA), issuer, audience, expiry, age (`iat` neither in the future nor
 * older than maxTokenAgeSeconds), and the claims we rely on (`sub` a UUID, `role` user or admin). Every
 * refusal is a 401, never a 500.
 */
export class JwtVerifier {
  private readonly getKey: JWTVerifyGetKey | KeyLike;
  private readonly cache = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(private readonly options: JwtVerifierOptions) {
    if (options.key) this.getKey = options.key;
    else if (options.jwksUrl) {
      // jose caches the key set and refetches it when a token names an unknown key id (key rotation).
      this.getKey = createRemoteJWKSet(new URL(options.jwksUrl), {
        timeoutDuration: 2_000,
        cooldownDuration: options.jwksCooldownMs ?? 10_000,
        cacheMaxAge: 10 * 60_000,
      });
    } else throw new Error('JwtVerifier needs jwksUrl or key');
  }

  async verify(token: string): Promise<Principal> {
    const cached = this.cache.get(token);
    if (cached && cached.expiresAtMs > Date.now()) return cached.principal;
    if (cached) this.cache.delete(token);

    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey as JWTVerifyGetKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms ?? ACCESS_TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: this.options.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      }));
    } catch (error) {
      // The key set could not be fetched (user-service down, timeout): not the caller's fault.
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new HttpError(503, 'AUTH_UNAVAILABLE', 'Token verification is temporarily unavailable', undefined, {
          'Retry-After': '5',
        });
      }
      throw new UnauthenticatedError(describeJoseError(error));
    }
    const role = payload['role'];
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub) || (role !== 'user' && role !== 'admin')) {
      throw new UnauthenticatedError('Access token has invalid claims');
    }
    const principal: Principal = { userId: payload.sub, role };
    this.remember(token, principal, (payload.exp as number) * 1000);
    return principal;
  }

  /** Extracts and verifies `Authorization: Bearer <token>`. */
  async verifyAuthorizationHeader(header: string | undefined): Promise<Principal> {
    const match = header ? BEARER.exec(header) : null;
    if (!match) throw new UnauthenticatedError();
    return this.verify(match[1]);
  }

  private remember(token: string, principal: Principal, expiresAtMs: number): void {
    const size = this.options.cacheSize ?? 0;
    if (size <= 0) return;
    if (this.cache.size >= size) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(token, { principal, expiresAtMs });
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired)
    return error.claim === 'iat' ? 'Access token is older than the maximum token age' : 'Access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iat') return 'Access token was issued in the future';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return 'Access token signature is not valid';
  }
  return 'Access token is not valid';
}
