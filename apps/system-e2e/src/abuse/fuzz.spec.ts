import fc from 'fast-check';
import { waitFor } from '@platform/testing';
import { startAbuseSystem, type AbuseSystem, type TestUser } from '../support/abuse-system';
import { errorCodeOf, errorShapeProblem, runPool, type RawReply } from '../support/http-client';
import { expectNoSecretExposed } from '../support/leak-check';
import { fuzzCases, type FuzzCase, type FuzzTargets } from './fuzz-cases';

/**
 * Property-based fuzzing of every public route through the gateway, against the three production builds.
 * Property, per request: never an answer ≥ 500 (nor none at all), every 4xx is the JSON error shape
 * (`{ error: { code, message, requestId } }`, application/json, requestId = x-request-id), a request that
 * is invalid by construction is never accepted, and an exact status where one is known (401, 413).
 * Afterwards: the sentinel user, who only ever received requests that had to be refused, is unchanged, and
 * the number of users is exactly the number before + sign-ups answered 201 − deletes answered 204.
 *
 * Reproduce a run with FUZZ_SEED=<seed> (FUZZ_CASES=<i,j> re-sends only those cases of the sequence);
 * FUZZ_REQUESTS and FUZZ_CONCURRENCY change its size.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_126);
const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 12_000);
const CONCURRENCY = Number(process.env['FUZZ_CONCURRENCY'] ?? 24);
/** Re-send only some cases of the seed's sequence, e.g. FUZZ_CASES=77,327 (indices from a failure report). */
const ONLY = process.env['FUZZ_CASES']?.split(',').map(Number);
const REQUEST_TIMEOUT_MS = 8_000;
/** The gateway's defaults (apps/api-gateway/src/config/gateway-config.ts: BODY_LIMIT 100kb, LOGIN_BODY_LIMIT 16kb). */
const BODY_LIMIT_BYTES = 100 * 1024;
const LOGIN_BODY_LIMIT_BYTES = 16 * 1024;

let env: AbuseSystem;
let targets: FuzzTargets;
const signedUp: string[] = [];

interface Outcome {
  index: number;
  fuzzCase: FuzzCase;
  reply: RawReply;
  problem?: string;
}
const outcomes: Outcome[] = [];
let usersBefore = 0;
let sentinelBefore: unknown;

beforeAll(async () => {
  env = await startAbuseSystem({
    name: 'e2e_fuzz',
    env: {
      'api-gateway': {
        // Thousands of requests from one client: the limits must not be what answers.
        RATE_LIMIT_MAX: '100000000',
        LOGIN_RATE_LIMIT_MAX: '100000000',
        LOGIN_ACCOUNT_FREE_ATTEMPTS: '1000',
        LOGIN_SIGNUP_CONCURRENCY_PER_CLIENT: '1000',
        // Every 5xx must show as itself: with the default (5) one bug's 500s would open user-service's
        // circuit and turn unrelated requests into 503s for 10 s.
        CIRCUIT_FAILURE_THRESHOLD: '1000',
      },
      // Nor may user-service shed bcrypt work: 24 in flight from one client would fill its queue at times.
      'user-service': { BCRYPT_MAX_QUEUED: '1000' },
    },
  });
  const sentinel = await env.createUser('sentinel');
  const attacker = await env.createUser('attacker');
  const scratch: TestUser[] = [];
  for (let i = 0; i < 24; i++) scratch.push(await env.createUser(`scratch${i}`));
  signedUp.push(sentinel.id, attacker.id, ...scratch.map((u) => u.id));
  const sentinelNotificationIds = await waitFor(
    async () => {
      const reply = await env.gateway.json('GET', `/api/notifications?userId=${sentinel.id}`, { token: env.admin.token });
      const items = (reply.json as { items?: Array<{ id: string }> }).items ?? [];
      return items.length > 0 ? items.map((n) => n.id) : undefined;
    },
    { timeoutMs: 20_000, description: "the sentinel's welcome notification" },
  );
  targets = {
    admin: env.admin,
    sentinel,
    attacker,
    scratch,
    sentinelNotificationIds,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    loginBodyLimitBytes: LOGIN_BODY_LIMIT_BYTES,
    password: (hex) => env.secrets.markedPassword(hex),
  };
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

async function userTotal(): Promise<number> {
  const reply = await env.gateway.json('GET', '/api/users?limit=1', { token: env.admin.token });
  expect(reply.status).toBe(200);
  return (reply.json as { total: number }).total;
}

/** What is wrong with the answer to one case, or undefined. */
function problemOf(fuzzCase: FuzzCase, reply: RawReply): string | undefined {
  if (reply.failure) return `no answer (${reply.failure})`;
  if (reply.status >= 500) return `${reply.status} ${errorCodeOf(reply) ?? ''}`.trim();
  if (fuzzCase.statuses && !fuzzCase.statuses.includes(reply.status)) return `${reply.status} instead of ${fuzzCase.statuses.join('/')}`;
  if (reply.status >= 400) {
    const shape = errorShapeProblem(reply);
    return shape ? `${reply.status} without the error shape: ${shape}` : undefined;
  }
  if (fuzzCase.expect === 'client-error') return `${reply.status}: invalid input accepted`;
  if (reply.status !== 204 && !/^application\/json\b/.test(String(reply.headers['content-type']))) return `${reply.status} not JSON`;
  return undefined;
}

function describeCase({ index, fuzzCase, reply }: Outcome): string {
  const { method, path, headers = {}, body, chunked } = fuzzCase.request;
  const shownHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, k === 'authorization' ? `${v.slice(0, 24)}…` : v]));
  const bodyText = body === undefined ? '' : Buffer.isBuffer(body) ? `<${body.length} bytes>` : body;
  return [
    `    case #${index} (${fuzzCase.variant})`,
    `      ${method} ${path.length > 160 ? `${path.slice(0, 160)}…(${path.length} chars)` : path}${chunked ? ' [chunked]' : ''}`,
    `      headers ${JSON.stringify(shownHeaders)}`,
    bodyText
      ? `      body ${JSON.stringify(bodyText.length > 200 ? `${bodyText.slice(0, 200)}…(${bodyText.length} chars)` : bodyText)}`
      : '',
    `      → ${reply.status || reply.failure} ${reply.text.slice(0, 200)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The input feature most likely behind a failure, so one bug shows as one group across routes. */
function suspectedCause({ request, variant }: FuzzCase): string {
  const encoding = request.headers?.['content-encoding'];
  if (encoding) return `Content-Encoding: ${encoding}`;
  const [path, query = ''] = request.path.split('?');
  for (const [part, text] of [
    ['path', path],
    ['query', query],
  ] as const) {
    try {
      decodeURIComponent(text);
    } catch {
      return `undecodable percent-encoding in the ${part}`;
    }
  }
  const body = request.body === undefined ? '' : request.body.toString('utf8');
  if (body.includes('\\u0000') || body.includes('\u0000')) return 'NUL character in the body';
  if (request.body !== undefined && body.length === 0) return 'empty body';
  if (/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f]/i.test(body)) return 'lone surrogate in the body';
  if (request.path.length > 8_000) return 'very long path';
  return variant.split(',')[0];
}

const histogram = (values: Array<string | number>): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
};

describe('fuzzing every public route through the gateway', () => {
  it(`${REQUESTS} generated requests (seed ${SEED}): never ≥ 500, every 4xx the JSON error shape, invalid input never accepted`, async () => {
    usersBefore = await userTotal();
    sentinelBefore = (await env.gateway.json('GET', `/api/users/${targets.sentinel.id}`, { token: env.admin.token })).json;
    const generationStarted = performance.now();
    const sampled = fc.sample(fuzzCases(targets), { seed: SEED, numRuns: ONLY ? Math.max(...ONLY) + 1 : REQUESTS });
    const cases = ONLY ? ONLY.map((i) => sampled[i]) : sampled;
    const generationSeconds = (performance.now() - generationStarted) / 1000;

    const started = performance.now();
    await runPool(cases, CONCURRENCY, async (fuzzCase, position) => {
      const index = ONLY ? ONLY[position] : position;
      const reply = await env.gateway.send({ ...fuzzCase.request, timeoutMs: REQUEST_TIMEOUT_MS });
      const token = (reply.json as { accessToken?: unknown } | undefined)?.accessToken;
      if (typeof token === 'string') env.secrets.addToken(token);
      if (fuzzCase.route === 'POST /api/users' && reply.status === 201) signedUp.push((reply.json as { id: string }).id);
      outcomes.push({ index, fuzzCase, reply, problem: problemOf(fuzzCase, reply) });
    });
    const seconds = (performance.now() - started) / 1000;

    const byRoute: Record<string, Record<string, number>> = {};
    for (const { fuzzCase, reply } of outcomes) {
      byRoute[fuzzCase.route] ??= {};
      const key = String(reply.status || reply.failure);
      byRoute[fuzzCase.route][key] = (byRoute[fuzzCase.route][key] ?? 0) + 1;
    }
    const invalid = outcomes.filter((o) => o.fuzzCase.expect === 'client-error').length;
    const userTokens = new Set([targets.sentinel, targets.attacker, ...targets.scratch].map((u) => `Bearer ${u.token}`));
    const callerOf = ({ request }: FuzzCase): string => {
      const authorization = request.headers?.['authorization'];
      if (authorization === undefined) return 'no token';
      if (authorization === `Bearer ${env.admin.token}`) return 'admin token';
      return userTokens.has(authorization) ? 'user token' : 'garbage token';
    };
    console.log(
      [
        `fuzz: ${outcomes.length} requests in ${seconds.toFixed(1)} s (${Math.round(outcomes.length / seconds)}/s, ${CONCURRENCY} in flight, seed ${SEED}; generated in ${generationSeconds.toFixed(1)} s)`,
        `  ${invalid} invalid by construction, ${outcomes.length - invalid} possibly valid`,
        `  statuses: ${JSON.stringify(histogram(outcomes.map((o) => o.reply.status || (o.reply.failure ?? 'none'))))}`,
        `  callers: ${JSON.stringify(histogram(outcomes.map((o) => callerOf(o.fuzzCase))))}`,
        ...Object.entries(byRoute).map(([route, counts]) => `  ${route}: ${JSON.stringify(counts)}`),
      ].join('\n'),
    );

    const failed = outcomes.filter((o) => o.problem !== undefined);
    if (failed.length > 0) {
      const groups = new Map<string, Outcome[]>();
      for (const outcome of failed) {
        const key = `${outcome.problem?.replace(/ instead of .*/, ' (unexpected status)')} ← ${suspectedCause(outcome.fuzzCase)}`;
        groups.set(key, [...(groups.get(key) ?? []), outcome]);
      }
      const report = [...groups.entries()]
        .sort(([, a], [, b]) => b.length - a.length)
        .map(([key, list]) => {
          const routes = JSON.stringify(histogram(list.map((o) => o.fuzzCase.route)));
          return `  ${list.length}× ${key}\n    routes ${routes}\n${list.slice(0, 2).map(describeCase).join('\n')}`;
        });
      throw new Error(`${failed.length} of ${outcomes.length} requests broke the property (FUZZ_SEED=${SEED}):\n${report.join('\n')}`);
    }
    if (!ONLY) expect(outcomes.length).toBeGreaterThanOrEqual(10_000);
  });

  it('invalid input changed nothing: the sentinel is as it was, and only 201 sign-ups and 204 deletes changed the user count', async () => {
    expect(outcomes.length).toBeGreaterThan(0);
    const sentinelAfter = await env.gateway.json('GET', `/api/users/${targets.sentinel.id}`, { token: env.admin.token });
    expect(sentinelAfter.json).toEqual(sentinelBefore);
    expect((await env.login(targets.sentinel.email, targets.sentinel.password)).status).toBe(200);
    const sentinelNotifications = await env.gateway.json('GET', `/api/notifications?userId=${targets.sentinel.id}`, {
      token: env.admin.token,
    });
    expect((sentinelNotifications.json as { total: number }).total).toBe(targets.sentinelNotificationIds.length);
    // Nobody got promoted by a __proto__ or role field.
    expect((await env.gateway.json('GET', '/api/users/me', { token: targets.attacker.token })).json).toMatchObject({ role: 'user' });
    expect((await env.gateway.json('GET', '/api/users', { token: targets.attacker.token })).status).toBe(403);

    const created = outcomes.filter((o) => o.fuzzCase.route === 'POST /api/users' && o.reply.status === 201).length;
    const deleted = outcomes.filter((o) => o.fuzzCase.route === 'DELETE /api/users/:id' && o.reply.status === 204).length;
    console.log(`fuzz: ${created} sign-ups answered 201, ${deleted} deletes answered 204; users ${usersBefore} → ${await userTotal()}`);
    expect(await userTotal()).toBe(usersBefore + created - deleted);
  });
});

/**
 * Single inputs the fuzzing found answered with a 500 or without the error shape, pinned as plain tests so
 * each bug has one precise failing test until it is fixed.
 */
describe('pinned fuzz findings', () => {
  /** Every listed request must get a JSON 4xx; the failure lists each one that did not. */
  async function expectClientErrors(requests: Array<[string, Promise<RawReply>]>): Promise<void> {
    const wrong: string[] = [];
    for (const [what, pending] of requests) {
      const reply = await pending;
      const problem = reply.failure
        ? `no answer (${reply.failure})`
        : reply.status >= 400 && reply.status < 500
          ? errorShapeProblem(reply)
          : reply.text.slice(0, 100);
      if (problem) wrong.push(`${what}: ${reply.status ? `${reply.status}, ` : ''}${problem}`);
    }
    expect(wrong).toEqual([]);
  }
  const asAdmin = (): Record<string, string> => ({ authorization: `Bearer ${env.admin.token}` });
  /** A user of its own (the fuzzing may have deleted any scratch user). */
  let subject: TestUser;
  beforeAll(async () => {
    subject = await env.createUser('pinned');
    signedUp.push(subject.id);
  });

  it('a malformed percent-encoding in an id is a JSON 400, not a 500 (both services)', async () => {
    await expectClientErrors(
      [
        ['GET', '/api/users/%E0%A4%A'],
        ['PATCH', '/api/users/%FF'],
        ['POST', '/api/users/%ZZ/activate'],
        ['DELETE', '/api/users/%'],
        ['GET', '/api/notifications/%E0%A4%A'],
      ].map(([method, path]): [string, Promise<RawReply>] => [`${method} ${path}`, env.gateway.send({ method, path, headers: asAdmin() })]),
    );
  });

  it('a body whose Content-Encoding is not what it claims is a JSON 4xx, not a 500', async () => {
    await expectClientErrors(
      ['gzip', 'deflate', 'br'].flatMap((encoding): Array<[string, Promise<RawReply>]> => {
        const headers = { 'content-type': 'application/json', 'content-encoding': encoding };
        return [
          [`sign-up, ${encoding}`, env.gateway.send({ method: 'POST', path: '/api/users', headers, body: '{"email":"x@example.com"}' })],
          [`login, ${encoding}`, env.gateway.send({ method: 'POST', path: '/api/auth/login', headers, body: '{"email":"x@example.com"}' })],
          [
            `PATCH, ${encoding}`,
            env.gateway.send({
              method: 'PATCH',
              path: `/api/users/${subject.id}`,
              headers: { ...headers, ...asAdmin() },
              body: '{"name":"Xy"}',
            }),
          ],
        ];
      }),
    );
  });

  it('a NUL character or a lone surrogate in a name or an email is a JSON 400, not a 500', async () => {
    const password = env.secrets.password();
    const signUp = (name: string, email = `odd-${Math.random().toString(16).slice(2)}@example.com`): Promise<RawReply> =>
      env.gateway.json('POST', '/api/users', { body: { email, name, password } });
    await expectClientErrors([
      ['sign-up, NUL in the name', signUp('Nul\u0000Name')],
      ['sign-up, lone high surrogate in the name', signUp('Half \ud83d')],
      ['sign-up, lone low surrogate in the name', signUp('\udc00 Half')],
      [
        'PATCH, NUL in the name',
        env.gateway.json('PATCH', `/api/users/${subject.id}`, { token: env.admin.token, body: { name: 'a\u0000b' } }),
      ],
      [
        'PATCH, lone surrogate in the name',
        env.gateway.json('PATCH', `/api/users/${subject.id}`, { token: env.admin.token, body: { name: 'ab\ud800' } }),
      ],
      ['login, NUL in the email', env.gateway.json('POST', '/api/auth/login', { body: { email: 'nul\u0000@example.com', password } })],
    ]);
  });

  it('a login without a body is answered at once (JSON 400), not left hanging', async () => {
    await expectClientErrors(
      [false, true].map((chunked): [string, Promise<RawReply>] => [
        `login with an empty ${chunked ? 'chunked' : 'Content-Length: 0'} body`,
        env.gateway.send({
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          body: '',
          chunked,
          timeoutMs: 7_000,
        }),
      ]),
    );
  });

  it('a request head over the HTTP parser limit (a very long id) is still the JSON error shape', async () => {
    await expectClientErrors([
      ['GET with a 20 kB id', env.gateway.send({ method: 'GET', path: `/api/users/${'a'.repeat(20_000)}`, headers: asAdmin() })],
    ]);
  });
});

describe('secrets', () => {
  it('no password, hash or token in any log line, event, dead letter, outbox row or response of the fuzz run', async () => {
    await expectNoSecretExposed(env, signedUp.slice(0, 200));
  });
});
