import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { createErrorHandler } from '../http/error-handler';
import { captureLogger } from '../test/capture-logger';
import { JwtVerifier } from './jwt-verifier';
import { principalOf, requireAuth } from './require-auth';

const issuer = 'user-service';
const audience = 'platform';
const userId = '8c0f1b2e-5d7a-4e3b-9f21-6a4d2c1b0e9f';

let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let otherKeys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwks: { keys: JWK[] };
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  keys = await generateKeyPair('EdDSA', { extractable: true });
  otherKeys = await generateKeyPair('EdDSA', { extractable: true });
  jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] };
  const app = express().get('/jwks', (_req, res) => {
    jwksRequests++;
    res.json(jwks);
  });
  jwksServer = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => jwksServer.once('listening', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
});

afterAll(() => new Promise((resolve) => jwksServer.close(resolve)));

function sign(
  options: {
    key?: Parameters<SignJWT['sign']>[0];
    kid?: string;
    role?: string;
    exp?: string | number;
    aud?: string;
    iss?: string;
    alg?: string;
    sub?: string;
    /** Seconds since the epoch. */
    iat?: number;
  } = {},
) {
  return new SignJWT({ role: options.role ?? 'user' })
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: options.kid ?? 'k1' })
    .setSubject(options.sub ?? userId)
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setIssuedAt(options.iat)
    .setExpirationTime(options.exp ?? '15m')
    .sign(options.key ?? keys.privateKey);
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function unsignedToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', kid: 'k1' })}.${encode({ sub: userId, role: 'admin', iss: issuer, aud: audience, iat: now, exp: now + 600 })}.`;
}

describe('JwtVerifier against a JWKS endpoint', () => {
  const verifier = () => new JwtVerifier({ issuer, audience, jwksUrl });

  it('accepts a valid token and returns the principal', async () => {
    await expect(verifier().verify(await sign({ role: 'admin' }))).resolves.toEqual({ userId, role: 'admin' });
  });

  it.each([
    ['expired', () => sign({ exp: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
    ['signed with another key', () => sign({ key: otherKeys.privateKey }), 'signature'],
    ['for another audience', () => sign({ aud: 'someone-else' }), 'not valid'],
    ['from another issuer', () => sign({ iss: 'evil' }), 'not valid'],
    ['with an unknown role', () => sign({ role: 'root' }), 'invalid claims'],
    ['with alg none', async () => unsignedToken(), 'not valid'],
    [
      'HS256 signed with the public key as secret',
      async () => sign({ alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(jwks.keys[0])) }),
      'not valid',
    ],
    ['garbage', async () => 'not.a.jwt', 'not valid'],
    ['issued an hour in the future', () => sign({ iat: nowSeconds() + 3_600, exp: nowSeconds() + 7_200 }), 'issued in the future'],
    [
      'issued two days ago that expires next year',
      () => sign({ iat: nowSeconds() - 2 * 86_400, exp: nowSeconds() + 365 * 86_400 }),
      'maximum token age',
    ],
    ['whose sub is not a UUID', () => sign({ sub: 'user-42' }), 'invalid claims'],
    ['whose sub is a UUID with trailing text', () => sign({ sub: `${userId}x` }), 'invalid claims'],
  ])('rejects a token %s with 401 UNAUTHENTICATED', async (_label, makeToken, message) => {
    await expect(verifier().verify(await makeToken())).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining(message),
    });
  });

  it('allows a few seconds of clock skew on iat, and a shorter maximum age when configured', async () => {
    await expect(verifier().verify(await sign({ iat: nowSeconds() + 3 }))).resolves.toMatchObject({ userId });
    const strict = new JwtVerifier({ issuer, audience, jwksUrl, maxTokenAgeSeconds: 600 });
    await expect(strict.verify(await sign({ iat: nowSeconds() - 300 }))).resolves.toMatchObject({ userId });
    await expect(strict.verify(await sign({ iat: nowSeconds() - 700 }))).rejects.toMatchObject({ status: 401 });
  });

  it('refetches the key set when a token names an unknown key id (rotation)', async () => {
    const v = new JwtVerifier({ issuer, audience, jwksUrl, jwksCooldownMs: 0 });
    await v.verify(await sign());
    const before = jwksRequests;
    jwks = { keys: [...jwks.keys, { ...(await exportJWK(otherKeys.publicKey)), kid: 'k2', alg: 'EdDSA', use: 'sig' }] };
    await expect(v.verify(await sign({ key: otherKeys.privateKey, kid: 'k2' }))).resolves.toMatchObject({ userId });
    expect(jwksRequests).toBe(before + 1);
  });

  it('answers 503 AUTH_UNAVAILABLE, not 401, when the key set cannot be fetched', async () => {
    const v = new JwtVerifier({ issuer, audience, jwksUrl: 'http://127.0.0.1:9/jwks' });
    await expect(v.verify(await sign())).rejects.toMatchObject({ status: 503, code: 'AUTH_UNAVAILABLE' });
  });

  it('remembers verified tokens when caching is on', async () => {
    const v = new JwtVerifier({ issuer, audience, jwksUrl, cacheSize: 2 });
    const token = await sign();
    await v.verify(token);
    const before = jwksRequests;
    jwks = { keys: [] }; // a cached token no longer needs the key set
    await expect(v.verify(token)).resolves.toMatchObject({ userId });
    expect(jwksRequests).toBe(before);
    jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] };
  });
});

describe('requireAuth middleware', () => {
  const { logger } = captureLogger();
  const app = express()
    .get('/me', requireAuth(new JwtVerifier({ issuer, audience, key: undefined, jwksUrl: 'http://127.0.0.1:1/unused' })), (_req, res) => {
      res.json(principalOf(res));
    })
    .use(createErrorHandler({ logger }));

  it.each([undefined, 'Basic abc', 'Bearer', 'Bearer not a token', 'Bearer\tabc.def.ghi', 'Bearerabc.def.ghi'])(
    'answers 401 with WWW-Authenticate for header %p',
    async (header) => {
      const req = request(app).get('/me');
      if (header) req.set('Authorization', header);
      const res = await req.expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    },
  );

  // Built on first use: the keys are generated in beforeAll.
  const secured = () =>
    express()
      .get('/me', requireAuth(new JwtVerifier({ issuer, audience, key: keys.publicKey as never })), (_req, res) => {
        res.json(principalOf(res));
      })
      .use(createErrorHandler({ logger }));

  it.each(['Bearer', 'bearer', 'BEARER', 'BeArEr'])('lets a valid token through with the scheme spelled %p', async (scheme) => {
    const res = await request(secured())
      .get('/me')
      .set('Authorization', `${scheme} ${await sign()}`)
      .expect(200);
    expect(res.body).toEqual({ userId, role: 'user' });
  });

  it('answers 401, not 500, for a validly signed token whose sub is not a UUID', async () => {
    const res = await request(secured())
      .get('/me')
      .set('Authorization', `Bearer ${await sign({ sub: "1' OR '1'='1" })}`)
      .expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});
