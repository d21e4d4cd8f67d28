import fc from 'fast-check';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { TestUser } from '../support/abuse-system';
import type { RawRequest } from '../support/http-client';

/**
 * fast-check generators of requests to every public route of the gateway: valid ones, and invalid ones
 * of many kinds (malformed JSON, wrong types, forbidden fields, prototype keys, deep nesting, huge
 * strings, unicode edge cases, bad ids, odd query strings, wrong content types and encodings, missing or
 * wrong tokens). Each case says what the answer must be: `client-error` when the input is invalid by
 * construction (so only a 4xx is right), `any` when it may legitimately succeed; `statuses` when the exact
 * answer is known.
 */
export type Expectation = 'client-error' | 'any';

export interface FuzzCase {
  /** The public route (template) it exercises. */
  route: string;
  /** Which kind of input, for the failure report and the statistics. */
  variant: string;
  request: RawRequest;
  expect: Expectation;
  statuses?: readonly number[];
}

export interface FuzzTargets {
  admin: TestUser;
  /** Receives only requests that must be refused: it must end the run exactly as it started. */
  sentinel: TestUser;
  /** A plain user whose token is used against others' resources. */
  attacker: TestUser;
  /** Users that valid requests may change, deactivate or delete. */
  scratch: TestUser[];
  /** The sentinel's notifications. */
  sentinelNotificationIds: string[];
  bodyLimitBytes: number;
  loginBodyLimitBytes: number;
  /** Recognisable passwords for the secret scan, from 12 hex digits. */
  password(hex12: string): string;
}

interface BodyCase {
  body?: string | Buffer;
  headers: Record<string, string>;
  chunked: boolean;
  expect: Expectation;
  statuses?: readonly number[];
  variant: string;
}

interface Valued {
  value: unknown;
  expect: Expectation;
  variant: string;
}

const worse = (a: Expectation, b: Expectation): Expectation => (a === 'client-error' || b === 'client-error' ? 'client-error' : 'any');

/** Percent-encodes every byte but the unreserved characters (a lone surrogate becomes U+FFFD's bytes). */
export function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- strings

const NASTY_STRINGS = [
  '😀👍🏽👨‍👩‍👧‍👦',
  '\u202Egnp.exe\u202C',
  // Bidirectional controls: isolates, marks, the Arabic letter mark.
  '\u2066Ada\u2069',
  'A\u200Fda',
  'A\u061Cda',
  'مرحبا بالعالم',
  'שלום',
  'e\u0301\u0302\u0303\u0304\u0305',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '\u0000',
  'a\u0000b',
  'ab\u0000',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\uFEFFbom',
  '\u200B\u200C\u200D',
  '𝕳𝖊𝖑𝖑𝖔',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  '{{7*7}}${7*7}',
  '${jndi:ldap://127.0.0.1/a}',
  '%00%ff',
  '..\\..\\windows',
  '../../etc/passwd',
  '\r\nX-Injected: 1',
  '\t\n\v\f',
  '   ',
  '',
  'null',
  'undefined',
  '__proto__',
  'constructor',
];

const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.string(), fc.constantFrom(...NASTY_STRINGS)).map(([a, b, c]) => a + b + c),
  },
  { weight: 1, arbitrary: fc.integer({ min: 101, max: 3000 }).map((n) => 'x'.repeat(n)) },
);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({}),
  fc.constant([]),
);

const hex12 = fc.stringMatching(/^[0-9a-f]{12}$/);
const uniqueEmail = fc
  .tuple(fc.uuid(), fc.constantFrom('example.com', 'Example.ORG', 'sub.example.net'))
  .map(([u, domain]) => `fz-${u.slice(0, 18)}@${domain}`);
const validName = fc.oneof(
  fc.string({ minLength: 2, maxLength: 40 }).filter((s) => s.trim().length >= 2),
  fc.string({ unit: 'grapheme', minLength: 2, maxLength: 20 }).filter((s) => s.trim().length >= 2),
  fc.constantFrom('Ada Lovelace', 'José Álvarez', '李小龙', "O'Brien <b>", 'مرحبا', '😀 Smile'),
);

// --------------------------------------------------------------------------------------------- bodies

const FORBIDDEN_FIELDS: Record<string, unknown> = {
  role: 'admin',
  isActive: false,
  id: '00000000-0000-4000-8000-000000000000',
  passwordHash: '$2b$04$invalidinvalidinvalidinuN0hUeX0VZ3XZwDdmo3xkSFSpAxBGi8a',
  createdAt: '2000-01-01T00:00:00.000Z',
  updatedAt: '2000-01-01T00:00:00.000Z',
  isAdmin: true,
};

/** A valid object with one field replaced by a wrong type, one forbidden or unknown field added, or one removed. */
function broken(valid: fc.Arbitrary<Record<string, unknown>>, required: boolean): fc.Arbitrary<Valued> {
  return fc.oneof(
    fc.tuple(valid, wrongType, fc.nat()).map(([value, junk, n]) => {
      const keys = Object.keys(value);
      return { value: { ...value, [keys[n % keys.length]]: junk }, expect: 'client-error' as Expectation, variant: 'wrong type' };
    }),
    fc.tuple(valid, fc.constantFrom(...Object.keys(FORBIDDEN_FIELDS), 'unknownField', 'Email', 'password2')).map(([value, field]) => ({
      value: { ...value, [field]: FORBIDDEN_FIELDS[field] ?? 'x' },
      expect: 'client-error' as Expectation,
      variant: `extra field ${field}`,
    })),
    fc.tuple(valid, fc.nat()).map(([value, n]) => {
      const keys = Object.keys(value);
      const { [keys[n % keys.length]]: _dropped, ...rest } = value;
      return { value: rest, expect: (required ? 'client-error' : 'any') as Expectation, variant: 'missing field' };
    }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ value, expect: 'client-error' as Expectation, variant: 'random JSON' })),
    wrongType.map((value) => ({ value, expect: 'client-error' as Expectation, variant: 'not an object' })),
  );
}

const SYNTAX_JUNK = [
  "{'email':'a@b.c'}",
  '{email:"a@b.c"}',
  '{"a":1,}',
  '[1,2',
  '{"a":',
  'NaN',
  'undefined',
  '{"a":NaN}',
  '{"a":Infinity}',
  '/*c*/{}',
  '\uFEFF{}',
  '{"a":"\\u00"}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '{"\\u0000":1}',
  '{"a":1}{"b":2}',
  '{"a" 1}',
  '"just a string"',
  '12345',
  'null',
  'true',
  '[]',
  '{}',
  '',
  ' ',
];

/** How a JSON value is put on the wire: usually well-formed, sometimes broken in one of many ways. */
function serialized(
  valued: Valued,
  limits: { bodyLimit: number },
): fc.Arbitrary<{ text: string | Buffer; expect: Expectation; variant: string; statuses?: readonly number[] }> {
  const text = JSON.stringify(valued.value) ?? 'null';
  const isObject = typeof valued.value === 'object' && valued.value !== null && !Array.isArray(valued.value);
  const spliceInto = (fragment: string): string =>
    isObject ? (text === '{}' ? `{${fragment}}` : `{${fragment},${text.slice(1)}`) : `{${fragment}}`;
  const invalid = (variant: string) => (t: string | Buffer) => ({ text: t, expect: 'client-error' as Expectation, variant });
  return fc.oneof(
    { weight: 24, arbitrary: fc.constant({ text, expect: valued.expect, variant: valued.variant }) },
    { weight: 1, arbitrary: fc.nat().map((n) => invalid('truncated JSON')(text.slice(0, n % Math.max(1, text.length)))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('x', '}', ',', ']', ' //', '\u0000', 'null').map((tail) => invalid('trailing garbage')(text + tail)),
    },
    {
      weight: 1,
      // A byte order mark before otherwise valid JSON: one parser strips it, another does not; refused everywhere.
      arbitrary: fc
        .constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe])
        .map((mark) => invalid('byte order mark')(Buffer.concat([Buffer.from(mark), Buffer.from(text)]))),
    },
    {
      weight: 1,
      // Duplicate keys: the first copy is junk, the last (the one JSON.parse keeps) is the real one.
      arbitrary: fc.tuple(fc.constantFrom('email', 'name', 'password'), wrongType).map(([key, junk]) => ({
        text: spliceInto(`${JSON.stringify(key)}:${JSON.stringify(junk)}`),
        expect: isObject && key in (valued.value as object) ? valued.expect : 'client-error',
        variant: `${valued.variant}, duplicate key ${key}`,
      })),
    },
    {
      weight: 1,
      // …and the other way round: the junk comes last and wins.
      arbitrary: fc
        .tuple(fc.constantFrom('email', 'name', 'password'), wrongType)
        .map(([key, junk]) =>
          invalid(`duplicate key ${key}, junk last`)(
            isObject && text !== '{}'
              ? `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(junk)}}`
              : `{${JSON.stringify(key)}:${JSON.stringify(junk)}}`,
          ),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '"__proto__":{"role":"admin","isActive":true}',
          '"__proto__":{"__proto__":{"role":"admin"}}',
          '"constructor":{"prototype":{"role":"admin"}}',
          '"prototype":{"role":"admin"}',
          '"__proto__":null',
        )
        .map((fragment) => invalid('prototype keys')(spliceInto(fragment))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 500, max: 45_000 }), fc.boolean())
        .map(([depth, arrays]) =>
          invalid(`nesting depth ${depth >= 10_000 ? '10k+' : '500+'}`)(
            arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
          ),
        ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...SYNTAX_JUNK).map(invalid('syntax junk')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => invalid('random bytes')(Buffer.from(bytes))) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
          Buffer.from('{"name":"\xc0\xaf"}', 'latin1'),
        )
        .map(invalid('invalid UTF-8')),
    },
    {
      weight: 1,
      // A huge string, but the body stays within the limit: the service's validation refuses it.
      arbitrary: fc
        .integer({ min: Math.floor(limits.bodyLimit * 0.5), max: limits.bodyLimit - 200 })
        .map((n) =>
          invalid('huge string within the body limit')(
            JSON.stringify({ ...(isObject ? (valued.value as object) : {}), name: 'n'.repeat(n) }),
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: limits.bodyLimit + 1, max: limits.bodyLimit * 3 }).map((n) => ({
        text: JSON.stringify({ name: 'n'.repeat(n) }),
        expect: 'client-error' as Expectation,
        variant: 'body over the limit',
        statuses: [413] as const,
      })),
    },
  );
}

const GOOD_CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset="UTF-8"',
  'application/merge-patch+json',
  'Application/JSON',
];
const BAD_CONTENT_TYPES = [
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=utf-7',
  'application/jsonx',
  'garbage',
  '*/*',
];

/** A body case: value → wire format → content type → content encoding → framing. */
function bodyCase(values: fc.Arbitrary<Valued>, limits: { bodyLimit: number }): fc.Arbitrary<BodyCase> {
  const withTypeAndEncoding = values.chain((valued) =>
    fc.tuple(
      serialized(valued, limits),
      fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...GOOD_CONTENT_TYPES).map((type) => ({ type, ok: true })) },
        { weight: 1, arbitrary: fc.constantFrom(...BAD_CONTENT_TYPES).map((type) => ({ type, ok: false })) },
      ),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant('none') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'gzip',
            'deflate',
            'br',
            'identity',
            'gzip-plain',
            'br-plain',
            'deflate-plain',
            'compress',
            'x-custom',
          ),
        },
      ),
      fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    ),
  );
  return withTypeAndEncoding.map(([wire, type, encoding, chunked]): BodyCase => {
    const headers: Record<string, string> = {};
    if (type.type !== undefined) headers['content-type'] = type.type;
    let body: string | Buffer = wire.text;
    let expect = wire.expect;
    let variant = wire.variant;
    const plain = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    if (encoding !== 'none' && wire.statuses === undefined) {
      variant += `, content-encoding ${encoding}`;
      const [name, mode] = encoding.split('-');
      headers['content-encoding'] = name;
      if (name === 'gzip' && mode !== 'plain') body = gzipSync(plain);
      else if (name === 'deflate' && mode !== 'plain') body = deflateSync(plain);
      else if (name === 'br' && mode !== 'plain') body = brotliCompressSync(plain);
      else if (name !== 'identity') expect = 'client-error';
    }
    if (!type.ok && plain.length > 0) {
      expect = 'client-error';
      variant += `, content-type ${type.type ?? '(none)'}`;
    }
    if (!type.ok && plain.length === 0) expect = worse(expect, 'any');
    // Over the limit is a 413 when the gateway sees the declared length; streamed or with a bad content
    // type, another 4xx may come first.
    const statuses = wire.statuses && !chunked && type.ok ? wire.statuses : undefined;
    return { body, headers, chunked, expect, statuses, variant: chunked ? `${variant}, chunked` : variant };
  });
}

// ---------------------------------------------------------------------------------------------- callers

type Caller = 'none' | 'garbage' | 'attacker' | 'scratch' | 'sentinel' | 'admin';

const GARBAGE_AUTH = [
  'Bearer',
  'Bearer ',
  'Bearer garbage',
  'Bearer a.b.c',
  'Basic YTpi',
  'bearer x.y.z',
  `Bearer ${'A'.repeat(4000)}.e30.`,
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.',
];

function authHeader(caller: Caller, t: FuzzTargets, scratchIndex: number, garbage: string): Record<string, string> {
  switch (caller) {
    case 'none':
      return {};
    case 'garbage':
      return { authorization: garbage };
    case 'attacker':
      return { authorization: `Bearer ${t.attacker.token}` };
    case 'scratch':
      return { authorization: `Bearer ${t.scratch[scratchIndex % t.scratch.length].token}` };
    case 'sentinel':
      return { authorization: `Bearer ${t.sentinel.token}` };
    case 'admin':
      return { authorization: `Bearer ${t.admin.token}` };
  }
}

const callers = (weights: Partial<Record<Caller, number>>): fc.Arbitrary<{ caller: Caller; scratchIndex: number; garbage: string }> =>
  fc.record({
    caller: fc.oneof(
      ...Object.entries(weights).map(([caller, weight]) => ({ weight: weight ?? 1, arbitrary: fc.constant(caller as Caller) })),
    ),
    scratchIndex: fc.nat(),
    garbage: fc.constantFrom(...GARBAGE_AUTH),
  });

/** Protected routes: no or a garbage token is exactly a 401 (or a 413 first, for a body over the limit). */
const unauthenticated = (caller: Caller): boolean => caller === 'none' || caller === 'garbage';

/** A path with a dot segment is the gateway's 404 before anything else: no other exact status applies. */
const exact = (id: string, statuses: readonly number[] | undefined): readonly number[] | undefined =>
  id.includes('.') || /%2e/i.test(id) ? undefined : statuses;

// -------------------------------------------------------------------------------------------- ids, queries

const BAD_IDS = [
  '..%2f..%2fhealth%2fready',
  '..%2F..%2Fmetrics',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fmetrics',
  '..',
  '.',
  '...',
  "1'%20OR%20'1'%3D'1",
  '1%3BDROP%20TABLE%20users',
  "'%20OR%201%3D1--",
  'null',
  'undefined',
  '0',
  '-1',
  '1e9',
  'true',
  '%00',
  '%E0%A4%A',
  '%ZZ',
  '%',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  '*',
  '%20',
  '%7B%7B7*7%7D%7D',
  'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
  '00000000-0000-0000-0000-00000000000g',
];

/** Ids that are not a user's or a notification's: malformed, foreign, or random (none of them may succeed). */
const badId: fc.Arbitrary<{ id: string; variant: string }> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BAD_IDS).map((id) => ({ id, variant: 'malformed id' })) },
  { weight: 2, arbitrary: fc.uuid().map((id) => ({ id, variant: 'unknown uuid' })) },
  { weight: 1, arbitrary: fc.uuid().map((id) => ({ id: `${id}x`, variant: 'uuid plus a character' })) },
  { weight: 1, arbitrary: fc.uuid().map((id) => ({ id: id.replace(/-/g, ''), variant: 'uuid without dashes' })) },
  {
    weight: 2,
    arbitrary: weirdString
      .filter((s) => s.length > 0 && s !== 'me')
      .map((s) => ({ id: pct(s).slice(0, 9000), variant: 'encoded weird string' })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 8000 }).map((n) => ({ id: 'a'.repeat(n), variant: 'very long id' })) },
);

const NUMBERISH = [
  '',
  '0',
  '-1',
  '1',
  '2',
  '20',
  '100',
  '101',
  '1e3',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  '%201',
  '9'.repeat(400),
  '%D9%A1',
  '+5',
  '00001',
  // Numbers to JavaScript's Number() but not decimal digits: the services refuse them (issue 11).
  '1e2',
  '5.0',
  '%205',
  '5%20',
  '%2B5',
  '0b101',
  '0o7',
  'null',
  'true',
  '-0',
  '2147483648',
  '9007199254740993',
];
const queryValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMBERISH) },
  { weight: 2, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String) },
  { weight: 1, arbitrary: weirdString.map((s) => pct(s).slice(0, 3000)) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'TRUE', 'yes', '1') },
);
const ODD_KEYS = ['foo', '__proto__', 'constructor', 'page[]', 'limit[0]', 'userId[]', 'PAGE', 'a.b', '', 'isActive[]'];

/** A query string over `keys`, sometimes with unknown keys (flagged), repeats, arrays, empties. */
function queryString(keys: readonly string[], extraValues: readonly string[] = []): fc.Arbitrary<{ qs: string; unknownKey: boolean }> {
  const value =
    extraValues.length > 0
      ? fc.oneof({ weight: 3, arbitrary: queryValue }, { weight: 2, arbitrary: fc.constantFrom(...extraValues) })
      : queryValue;
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_KEYS) }),
            value,
          ),
          { maxLength: 5 },
        )
        .map((pairs) => ({
          qs: pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${pct(k)}=${v}`).join('&')}`,
          unknownKey: pairs.some(([k]) => !keys.includes(k)),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('?', '?&&&', '?=', '?=1', '?&', `?${keys[0]}`, `?${keys[0]}=1&${keys[0]}=2`, '?%', '?%ZZ=1', '?a=%E0%A4%A')
        .map((qs) => ({ qs, unknownKey: qs.includes('=1') && qs.startsWith('?=') })),
    },
  );
}

// --------------------------------------------------------------------------------------------- routes

export function fuzzCases(t: FuzzTargets): fc.Arbitrary<FuzzCase> {
  const limits = { bodyLimit: t.bodyLimitBytes };
  const markedPassword = hex12.map((hex) => t.password(hex));
  const scratchIds = t.scratch.map((u) => u.id);

  // POST /api/users — public sign-up.
  const signUpValid = fc.record({ email: uniqueEmail, name: validName, password: markedPassword });
  const signUpValues: fc.Arbitrary<Valued> = fc.oneof(
    { weight: 6, arbitrary: signUpValid.map((value) => ({ value, expect: 'any' as Expectation, variant: 'valid sign-up' })) },
    {
      weight: 5,
      arbitrary: fc
        .record(
          {
            email: fc.oneof(
              { weight: 3, arbitrary: uniqueEmail },
              { weight: 1, arbitrary: fc.emailAddress() },
              { weight: 2, arbitrary: weirdString },
              {
                weight: 1,
                arbitrary: fc.constantFrom(
                  t.admin.email,
                  t.sentinel.email.toUpperCase(),
                  ` ${t.attacker.email} `,
                  'a@b',
                  `${'a'.repeat(250)}@x.com`,
                  // RFC 5321 length limits: local part over 64 octets, a domain label over 63.
                  `${'a'.repeat(65)}@example.com`,
                  `${'a'.repeat(200)}@example.com`,
                  `a@${'d'.repeat(64)}.com`,
                ),
              },
            ),
            name: fc.oneof(validName, weirdString),
            password: fc.oneof(
              { weight: 3, arbitrary: markedPassword },
              { weight: 2, arbitrary: weirdString },
              { weight: 1, arbitrary: hex12.map((h) => `A1${'é'.repeat(36)}${h}`) },
              { weight: 1, arbitrary: fc.constantFrom('Ab1', 'abcdefgh1', 'ABCDEFGH', 'Abcdefghij', `A1${'a'.repeat(80)}`) },
            ),
          },
          { requiredKeys: [] },
        )
        .map((value) => ({ value, expect: 'any' as Expectation, variant: 'sign-up with odd fields' })),
    },
    { weight: 4, arbitrary: broken(signUpValid, true) },
  );
  const signUp = fc.tuple(bodyCase(signUpValues, limits), callers({ none: 8, garbage: 1, attacker: 1 })).map(
    ([b, c]): FuzzCase => ({
      route: 'POST /api/users',
      variant: b.variant,
      request: {
        method: 'POST',
        path: '/api/users',
        headers: { ...b.headers, ...authHeader(c.caller, t, c.scratchIndex, c.garbage) },
        body: b.body,
        chunked: b.chunked,
      },
      expect: b.expect,
      statuses: b.statuses,
    }),
  );

  // POST /api/auth/login — public, its own limiter (set high for this run) and a 16 kB body limit.
  const knownUsers = [t.attacker, t.sentinel, ...t.scratch.slice(0, 4)];
  const loginValid = fc.record({
    email: fc.oneof(
      fc.constantFrom(...knownUsers.map((u) => u.email)),
      uniqueEmail,
      fc.constantFrom(...knownUsers.map((u) => ` ${u.email.toUpperCase()} `)),
    ),
    password: fc.oneof(
      fc.constantFrom(...knownUsers.map((u) => u.password)),
      markedPassword,
      weirdString.filter((s) => s.length > 0),
    ),
  });
  const loginValues: fc.Arbitrary<Valued> = fc.oneof(
    { weight: 5, arbitrary: loginValid.map((value) => ({ value, expect: 'any' as Expectation, variant: 'login' })) },
    { weight: 3, arbitrary: broken(loginValid, true) },
  );
  const login = bodyCase(loginValues, { bodyLimit: t.loginBodyLimitBytes }).map(
    (b): FuzzCase => ({
      route: 'POST /api/auth/login',
      variant: b.variant,
      request: { method: 'POST', path: '/api/auth/login', headers: b.headers, body: b.body, chunked: b.chunked },
      expect: b.expect,
      statuses: b.statuses,
    }),
  );

  // GET /api/users/me
  const me = fc.tuple(callers({ none: 2, garbage: 2, attacker: 3, sentinel: 2, scratch: 2, admin: 3 }), queryString(['x'])).map(
    ([c, q]): FuzzCase => ({
      route: 'GET /api/users/me',
      variant: `${c.caller} token`,
      request: { method: 'GET', path: `/api/users/me${q.qs}`, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
      expect: unauthenticated(c.caller) ? 'client-error' : 'any',
      statuses: unauthenticated(c.caller) ? [401] : undefined,
    }),
  );

  // GET /api/users/:id
  const existingTarget = fc.constantFrom<{ id: string; owner: Caller | 'nobody'; index: number }>(
    { id: t.sentinel.id, owner: 'sentinel', index: 0 },
    { id: t.admin.id, owner: 'admin', index: 0 },
    { id: t.attacker.id, owner: 'attacker', index: 0 },
    ...scratchIds.map((id, index) => ({ id, owner: 'scratch' as const, index })),
  );
  const idTarget = fc.oneof(
    { weight: 3, arbitrary: existingTarget.map((target) => ({ ...target, bad: false, variant: `${target.owner}'s id` })) },
    { weight: 2, arbitrary: badId.map(({ id, variant }) => ({ id, owner: 'nobody' as const, index: 0, bad: true, variant })) },
  );
  /** May `caller` act on `target` as its owner (or as an admin, when `adminMay`)? */
  const mayAct = (caller: Caller, scratchIndex: number, target: { owner: Caller | 'nobody'; index: number }, adminMay: boolean): boolean =>
    (adminMay && caller === 'admin') ||
    (caller === target.owner && (caller !== 'scratch' || scratchIndex % t.scratch.length === target.index % t.scratch.length));

  const getById = fc.tuple(idTarget, callers({ none: 1, garbage: 1, attacker: 3, sentinel: 2, scratch: 2, admin: 3 })).map(
    ([target, c]): FuzzCase => ({
      route: 'GET /api/users/:id',
      variant: `${target.variant}, ${c.caller} token`,
      request: { method: 'GET', path: `/api/users/${target.id}`, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
      expect: unauthenticated(c.caller) || target.bad || !mayAct(c.caller, c.scratchIndex, target, true) ? 'client-error' : 'any',
      statuses: exact(target.id, unauthenticated(c.caller) ? [401] : undefined),
    }),
  );

  // GET /api/users?page=&limit=&isActive= (admins)
  const list = fc
    .tuple(callers({ none: 1, garbage: 1, attacker: 2, scratch: 1, admin: 6 }), queryString(['page', 'limit', 'isActive']))
    .map(
      ([c, q]): FuzzCase => ({
        route: 'GET /api/users',
        variant: `${c.caller} token${q.unknownKey ? ', unknown query key' : ''}`,
        request: { method: 'GET', path: `/api/users${q.qs}`, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
        expect: c.caller === 'admin' && !q.unknownKey ? 'any' : 'client-error',
        statuses: unauthenticated(c.caller) ? [401] : undefined,
      }),
    );

  // PATCH /api/users/:id — the sentinel (and the admin) only ever get requests that must be refused.
  const patchValid = fc.oneof(
    fc.record({ name: validName }),
    fc.record({ email: uniqueEmail }),
    fc.record({ name: validName, email: uniqueEmail }),
  );
  const patchValues: fc.Arbitrary<Valued> = fc.oneof(
    {
      weight: 4,
      arbitrary: patchValid.map((value) => ({ value: value as unknown, expect: 'any' as Expectation, variant: 'valid change' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ name: fc.oneof(validName, weirdString), email: fc.oneof(uniqueEmail, weirdString) }, { requiredKeys: [] })
        .map((value) => ({
          value: value as unknown,
          expect: (Object.keys(value).length === 0 ? 'client-error' : 'any') as Expectation,
          variant: 'change with odd fields',
        })),
    },
    { weight: 4, arbitrary: broken(patchValid as fc.Arbitrary<Record<string, unknown>>, false) },
  );
  const patchBodies = bodyCase(patchValues, limits);
  const invalidPatchBodies = patchBodies.filter((b) => b.expect === 'client-error');
  const patch = fc
    .tuple(idTarget, callers({ none: 1, garbage: 1, attacker: 3, sentinel: 2, scratch: 3, admin: 3 }))
    .chain(([target, c]) => {
      const allowed = !target.bad && mayAct(c.caller, c.scratchIndex, target, true) && !unauthenticated(c.caller);
      // A caller who may change the user sends only invalid changes, unless it is a scratch user (valid
      // changes to the sentinel, the admin or the attacker would change them legitimately). Anyone else
      // sends any change, valid ones included: refused all the same (403/404/401).
      const bodies = allowed && target.owner !== 'scratch' ? invalidPatchBodies : patchBodies;
      return bodies.map((b): FuzzCase => {
        const expect: Expectation = allowed && target.owner === 'scratch' ? b.expect : 'client-error';
        const headers = { ...b.headers, ...authHeader(c.caller, t, c.scratchIndex, c.garbage) };
        return {
          route: 'PATCH /api/users/:id',
          variant: `${target.variant}, ${c.caller} token, ${b.variant}`,
          request: { method: 'PATCH', path: `/api/users/${target.id}`, headers, body: b.body, chunked: b.chunked },
          expect,
          statuses: exact(target.id, unauthenticated(c.caller) ? (b.statuses ? [401, 413] : [401]) : b.statuses),
        };
      });
    });

  // POST /api/users/:id/activate|deactivate (admins) — the admin acts on scratch users only.
  const activation = fc
    .tuple(
      idTarget,
      callers({ none: 1, garbage: 1, attacker: 3, sentinel: 2, scratch: 2, admin: 4 }),
      fc.constantFrom('activate', 'deactivate'),
      fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: bodyCase(patchValues, limits) }),
    )
    .filter(([target, c]) => !(c.caller === 'admin' && ['sentinel', 'admin', 'attacker'].includes(target.owner)))
    .map(([target, c, action, b]): FuzzCase => {
      const allowed = c.caller === 'admin' && !target.bad;
      return {
        route: `POST /api/users/:id/${action}`,
        variant: `${target.variant}, ${c.caller} token${b ? `, with a body (${b.variant})` : ''}`,
        request: {
          method: 'POST',
          path: `/api/users/${target.id}/${action}`,
          headers: { ...(b?.headers ?? {}), ...authHeader(c.caller, t, c.scratchIndex, c.garbage) },
          body: b?.body,
          chunked: b?.chunked,
        },
        expect: allowed ? 'any' : 'client-error',
        statuses: exact(target.id, unauthenticated(c.caller) ? (b?.statuses ? [401, 413] : [401]) : b?.statuses),
      };
    });

  // DELETE /api/users/:id — a scratch user itself or the admin may; nobody deletes the sentinel, the admin or the attacker.
  const remove = fc
    .tuple(idTarget, callers({ none: 1, garbage: 1, attacker: 3, sentinel: 2, scratch: 3, admin: 2 }))
    .filter(([target, c]) => !(['sentinel', 'admin', 'attacker'].includes(target.owner) && mayAct(c.caller, c.scratchIndex, target, true)))
    .map(([target, c]): FuzzCase => {
      const allowed = !target.bad && !unauthenticated(c.caller) && mayAct(c.caller, c.scratchIndex, target, true);
      return {
        route: 'DELETE /api/users/:id',
        variant: `${target.variant}, ${c.caller} token`,
        request: { method: 'DELETE', path: `/api/users/${target.id}`, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
        expect: allowed ? 'any' : 'client-error',
        statuses: exact(target.id, unauthenticated(c.caller) ? [401] : undefined),
      };
    });

  // GET /api/notifications?userId=&page=&limit=
  const ownerIds: Record<string, string> = { sentinel: t.sentinel.id, attacker: t.attacker.id, admin: t.admin.id };
  const notificationList = fc
    .tuple(
      callers({ none: 1, garbage: 1, attacker: 3, sentinel: 3, admin: 4 }),
      queryString(['userId', 'page', 'limit'], [t.sentinel.id, t.attacker.id, t.admin.id, scratchIds[0]]),
    )
    .map(([c, q]): FuzzCase => {
      const userIds = [...q.qs.matchAll(/(?:^\?|&)userId=([^&]*)/g)].map((m) => m[1]);
      const foreign = c.caller !== 'admin' && userIds.some((id) => id !== ownerIds[c.caller]);
      return {
        route: 'GET /api/notifications',
        variant: `${c.caller} token${foreign ? ", someone else's userId" : ''}${q.unknownKey ? ', unknown query key' : ''}`,
        request: { method: 'GET', path: `/api/notifications${q.qs}`, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
        expect: unauthenticated(c.caller) || foreign || q.unknownKey ? 'client-error' : 'any',
        statuses: unauthenticated(c.caller) ? [401] : undefined,
      };
    });

  // GET /api/notifications/:id
  const notificationTarget = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constantFrom(...t.sentinelNotificationIds).map((id) => ({ id, bad: false, variant: "the sentinel's notification" })),
    },
    { weight: 3, arbitrary: badId.map(({ id, variant }) => ({ id, bad: true, variant })) },
  );
  const notificationById = fc.tuple(notificationTarget, callers({ none: 1, garbage: 1, attacker: 3, sentinel: 2, admin: 3 })).map(
    ([target, c]): FuzzCase => ({
      route: 'GET /api/notifications/:id',
      variant: `${target.variant}, ${c.caller} token`,
      request: { method: 'GET', path: `/api/notifications/${target.id}`, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
      expect: unauthenticated(c.caller) || target.bad || !['sentinel', 'admin'].includes(c.caller) ? 'client-error' : 'any',
      statuses: exact(target.id, unauthenticated(c.caller) ? [401] : undefined),
    }),
  );

  // Wrong methods and paths next to the routes.
  const odd = fc
    .tuple(
      fc.constantFrom('PUT', 'TRACE', 'OPTIONS', 'PATCH', 'POST', 'DELETE', 'GET', 'PROPFIND'),
      fc.constantFrom(
        '/api/users/me/x',
        '/api/users/x/y/z',
        '/api/auth',
        '/api/auth/logout',
        '/api/notifications/x/y',
        '/api/nope',
        '/api',
        '/apix',
        '/metrics',
        '/api/users/me/activate',
      ),
      callers({ none: 1, attacker: 1, admin: 1 }),
    )
    .map(
      ([method, path, c]): FuzzCase => ({
        route: 'other methods and paths',
        variant: `${method} ${path}`,
        request: { method, path, headers: authHeader(c.caller, t, c.scratchIndex, c.garbage) },
        expect: 'client-error',
      }),
    );

  return fc.oneof(
    { weight: 18, arbitrary: signUp },
    { weight: 12, arbitrary: login },
    { weight: 6, arbitrary: me },
    { weight: 10, arbitrary: getById },
    { weight: 8, arbitrary: list },
    { weight: 14, arbitrary: patch },
    { weight: 8, arbitrary: activation },
    { weight: 6, arbitrary: remove },
    { weight: 8, arbitrary: notificationList },
    { weight: 6, arbitrary: notificationById },
    { weight: 3, arbitrary: odd },
  );
}
