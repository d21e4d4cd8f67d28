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
  } = {},
) {
  return new SignJWT({ role: options.role ?? 'user' })
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: options.kid ?? 'k1' })
    .setSubject(userId)
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '15m')
    .sign(options.key ?? keys.privateKey);
}

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
  ])('rejects a token %s with 401 UNAUTHENTICATED', async (_label, makeToken, message) => {
    await expect(verifier().verify(await makeToken())).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining(message),
    });
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

  it.each([undefined, 'Basic abc', 'Bearer', 'Bearer not a token'])('answers 401 with WWW-Authenticate for header %p', async (header) => {
    const req = request(app).get('/me');
    if (header) req.set('Authorization', header);
    const res = await req.expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('lets a valid token through', async () => {
    const secured = express()
      .get('/me', requireAuth(new JwtVerifier({ issuer, audience, key: keys.publicKey as never })), (_req, res) => {
        res.json(principalOf(res));
      })
      .use(createErrorHandler({ logger }));
    const res = await request(secured)
      .get('/me')
      .set('Authorization', `Bearer ${await sign()}`)
      .expect(200);
    expect(res.body).toEqual({ userId, role: 'user' });
  });
});
