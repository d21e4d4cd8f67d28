import { startAbuseSystem, type AbuseSystem, type TestUser } from '../support/abuse-system';
import { errorCodeOf, HttpClient, type RawReply } from '../support/http-client';

/**
 * The login limits hold however the body is spelled and wherever the guesses come from (issue 11, finding
 * 1). The gateway keys its login limits by the email it reads from the body; user-service parses the body
 * again. Before, user-service decoded any `utf-*` charset the client declared (and stripped a byte order
 * mark) while the gateway read UTF-8: one address had endless spellings, each its own limit bucket, and a
 * blocked client got unlimited guesses ending in a token. Now both refuse anything but plain UTF-8, and a
 * per-account limit holds across client addresses (the gateway trusts X-Forwarded-For from loopback here,
 * as it would from its load balancer).
 */
const LOGIN_ACCOUNT_FREE_ATTEMPTS = 5; // the gateway's default
const LOGIN_ACCOUNT_INTERVAL_SECONDS = 2;

let env: AbuseSystem;
let userService: HttpClient;

beforeAll(async () => {
  env = await startAbuseSystem({
    name: 'e2e_login_limits',
    env: { 'api-gateway': { TRUST_PROXY: 'loopback', LOGIN_ACCOUNT_INTERVAL_SECONDS: String(LOGIN_ACCOUNT_INTERVAL_SECONDS) } },
  });
  userService = new HttpClient(env.system.userServiceUrl);
}, 180_000);

afterAll(async () => {
  userService?.close();
  await env?.stop();
});

/** `ada@…` with its first letter written in UTF-7 (`+AGE-da@…`): the same address to a UTF-7 decoder. */
function utf7Spelling(email: string): string {
  const firstLetter = Buffer.from([0, email.charCodeAt(0)])
    .toString('base64')
    .replace(/=+$/, '');
  return `+${firstLetter}-${email.slice(1)}`;
}

interface DisguisedLogin {
  name: string;
  request: { headers: Record<string, string>; body: Buffer };
  /** What the gateway and user-service both answer. */
  refusal: string;
}

/** One login body in the encodings that used to land in another limit bucket than the account's. */
function disguisedLogins(email: string, password: string): DisguisedLogin[] {
  const json = (address: string): string => JSON.stringify({ email: address, password });
  const charset = (name: string, value: string, body: Buffer): DisguisedLogin => ({
    name,
    request: { headers: { 'content-type': `application/json; charset=${value}` }, body },
    refusal: '415 UNSUPPORTED_MEDIA_TYPE',
  });
  return [
    charset('UTF-7', 'utf-7', Buffer.from(json(utf7Spelling(email)))),
    charset('UTF-16LE', 'utf-16le', Buffer.from(json(email), 'utf16le')),
    charset('UTF-16 with its byte order mark', 'utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json(email), 'utf16le')])),
    {
      name: 'UTF-8 with a byte order mark',
      request: {
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(email))]),
      },
      refusal: '400 MALFORMED_JSON',
    },
  ];
}

const outcome = (reply: RawReply): string => `${reply.status} ${errorCodeOf(reply) ?? ''}`.trim();

describe('one reading of every login body', () => {
  it('UTF-7, UTF-16 and byte-order-marked logins are refused at the gateway and at user-service, before and after the limit; no token', async () => {
    const victim: TestUser = await env.createUser('charset-victim', { login: false });
    // With the right password, while the account is not limited at all: refused, not read another way.
    for (const { name, request, refusal } of disguisedLogins(victim.email, victim.password)) {
      const viaGateway = await env.gateway.send({ method: 'POST', path: '/api/auth/login', ...request });
      const direct = await userService.send({ method: 'POST', path: '/auth/login', ...request });
      expect({ name, gateway: outcome(viaGateway), userService: outcome(direct) }).toEqual({
        name,
        gateway: refusal,
        userService: refusal,
      });
    }

    // Eleven wrong guesses from this client: past the per-client-and-email limit (10 per 15 minutes) for
    // sure, whatever the per-account interval let through meanwhile. Then every disguise of the right
    // password is still no way in.
    let last: RawReply | undefined;
    for (let attempt = 0; attempt < 11; attempt++) last = await env.login(victim.email, `Wrong-guess-${attempt}`);
    expect(last && outcome(last)).toBe('429 RATE_LIMITED');
    for (const { name, request, refusal } of disguisedLogins(victim.email, victim.password)) {
      const reply = await env.gateway.send({ method: 'POST', path: '/api/auth/login', ...request });
      expect({ name, outcome: outcome(reply) }).toEqual({ name, outcome: refusal });
      expect(reply.text).not.toContain('accessToken');
    }
    // A plain UTF-8 body declared as such is the account's own bucket: still limited.
    const declared = await env.gateway.send({
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ email: ` ${victim.email.toUpperCase()}`, password: victim.password }),
    });
    expect(outcome(declared)).toBe('429 RATE_LIMITED');
  });
});

describe('the per-account login limit', () => {
  it(`holds across client addresses: ${LOGIN_ACCOUNT_FREE_ATTEMPTS} free attempts, then one per ${LOGIN_ACCOUNT_INTERVAL_SECONDS} s; the owner waits seconds, never a lockout`, async () => {
    const victim = await env.createUser('spread-victim', { login: false });
    const from = (address: string, password: string): Promise<RawReply> =>
      env.gateway.json('POST', '/api/auth/login', { body: { email: victim.email, password }, headers: { 'x-forwarded-for': address } });

    // 40 guesses, each from another client address (the per-client limit never sees more than one).
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) outcomes.push(outcome(await from(`203.0.113.${i + 1}`, `Wrong-guess-${i}`)));
    const checked = outcomes.filter((line) => line === '401 INVALID_CREDENTIALS').length;
    const slowed = outcomes.filter((line) => line === '429 RATE_LIMITED').length;
    expect(checked + slowed).toBe(outcomes.length);
    // The free attempts, plus one per interval that passed while the 40 were sent (a second or two).
    expect(checked).toBeGreaterThanOrEqual(LOGIN_ACCOUNT_FREE_ATTEMPTS);
    expect(checked).toBeLessThanOrEqual(LOGIN_ACCOUNT_FREE_ATTEMPTS + 3);

    // The right password from a fresh address is slowed down too, with the wait in Retry-After …
    const waiting = await from('198.51.100.200', victim.password);
    expect(outcome(waiting)).toBe('429 RATE_LIMITED');
    const retryAfter = Number(waiting.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_ACCOUNT_INTERVAL_SECONDS);
    // … and gets in once it waited.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    const owner = await from('198.51.100.200', victim.password);
    expect(outcome(owner)).toBe('200');
    expect(typeof (owner.json as { accessToken?: unknown }).accessToken).toBe('string');
  });
});
