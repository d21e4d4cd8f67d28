import { exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { JwtVerifier } from '@platform/service-runtime';
import { captureLogs } from '../../test/support/capture-logs';
import { JoseTokenIssuer } from './jose-token-issuer';
import { loadSigningKeys } from './signing-keys';

const settings = { issuer: 'user-service', audience: 'platform', ttlSeconds: 900 };

describe('signing keys and access tokens', () => {
  it('without a configured key: an ephemeral one, a warning, and a thumbprint kid', async () => {
    const logs = captureLogs();
    const keys = await loadSigningKeys({ logger: logs.logger });
    expect(keys.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(logs.records()).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('JWT_PRIVATE_KEY is not set') }),
    ]);
  });

  it('rotation: tokens of the previous key still verify while new ones carry the new kid', async () => {
    const logs = captureLogs();
    const old = await generateKeyPair('EdDSA', { extractable: true });
    const current = await generateKeyPair('EdDSA', { extractable: true });
    const before = await loadSigningKeys({ privateKeyPem: await exportPKCS8(old.privateKey), keyId: 'k-old', logger: logs.logger });
    const oldToken = (await new JoseTokenIssuer(before, settings).issue({ userId: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d', role: 'user' }))
      .accessToken;

    const previousKey: JWK = { ...(await exportJWK(old.publicKey)), kid: 'k-old' };
    const after = await loadSigningKeys({
      privateKeyPem: await exportPKCS8(current.privateKey),
      keyId: 'k-new',
      previousPublicKeys: [previousKey],
      logger: logs.logger,
    });
    expect(after.jwks.keys.map((key) => key.kid)).toEqual(['k-new', 'k-old']);
    expect(after.jwks.keys.every((key) => key.alg === 'EdDSA' && key.use === 'sig' && !('d' in key))).toBe(true);

    const verifier = new JwtVerifier({ ...settings, key: after.verificationKey });
    const newToken = (await new JoseTokenIssuer(after, settings).issue({ userId: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d', role: 'admin' }))
      .accessToken;
    await expect(verifier.verify(oldToken)).resolves.toEqual({ userId: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d', role: 'user' });
    await expect(verifier.verify(newToken)).resolves.toMatchObject({ role: 'admin' });
    expect(logs.lines).toEqual([]);
  });
});
