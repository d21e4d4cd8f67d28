import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { RunningSystem, SystemApp } from '@platform/testing';
import { NOTIFICATION_DLQ, type EventTap } from './event-tap';
import { keysDeep, SECRET_KEY } from './http-client';

/** Every password the abuse tests choose carries this marker, so one regex finds any of them anywhere. */
const PASSWORD_MARKER = 'Pw5ecret';
const MARKED_PASSWORD = new RegExp(`${PASSWORD_MARKER}-[0-9a-f]{12}`, 'g');
/** A bcrypt hash (`$2b$04$` + 53 characters of salt and digest), or at least its unmistakable head. */
const BCRYPT = /\$2[aby]\$\d{2}\$[./A-Za-z0-9]{0,53}/g;
/** A JWS in compact form (header and payload are base64url JSON objects: `eyJ`). */
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

export interface Exposure {
  where: string;
  what: string;
  excerpt: string;
}

export interface ScanReport {
  exposures: Exposure[];
  scanned: Record<string, number>;
}

const APPS: SystemApp[] = ['user-service', 'notification-service', 'api-gateway'];

/**
 * Collects the secrets a test run handles (passwords it chose, tokens it was issued, the hashes in the
 * users table) and scans everything the system let out for them: every log line of the three apps, every
 * event on `user.events` (through an EventTap), every dead letter, every outbox row, and every HTTP
 * response body the tests received.
 */
export class SecretCollector {
  private readonly passwords = new Set<string>();
  private readonly tokens = new Set<string>();
  private readonly responses: Array<{ label: string; text: string }> = [];

  /** A fresh password that satisfies the password policy and that the scan recognises. */
  password(): string {
    return this.markedPassword(randomBytes(6).toString('hex'));
  }

  /** The recognisable password for 12 hex digits of our choosing (generators derive them from their seed). */
  markedPassword(hex12: string): string {
    const password = `${PASSWORD_MARKER}-${hex12}-A1`;
    this.passwords.add(password);
    return password;
  }

  /** A password the tests did not choose (e.g. the admin's from startSystem). */
  addPassword(password: string): void {
    this.passwords.add(password);
  }

  addToken(token: string): void {
    this.tokens.add(token);
  }

  recordResponse(label: string, text: string): void {
    if (text.length > 0) this.responses.push({ label, text });
  }

  get counts(): { passwords: number; tokens: number; responses: number } {
    return { passwords: this.passwords.size, tokens: this.tokens.size, responses: this.responses.length };
  }

  async scan(system: RunningSystem, tap: EventTap): Promise<ScanReport> {
    const exposures: Exposure[] = [];
    const { hashes, outbox } = await readUserSecrets(system.databases.users.url);
    const deadLetters = await tap.drain(NOTIFICATION_DLQ);
    const exact = [...this.passwords].filter((p) => !p.startsWith(PASSWORD_MARKER)).map((p) => ({ what: 'password', value: p }));
    // The hashes are found by the bcrypt pattern; these exact checks (of the first 200, to bound the time)
    // also catch one written without its `$2b$..$` head.
    const hashTails = hashes.slice(0, 200).map((hash) => ({ what: 'password hash', value: hash.slice(-31) }));

    const scanText = (where: string, text: string, options: { tokensAllowed?: boolean } = {}): void => {
      const found = (what: string, index: number, length: number): void => {
        exposures.push({ where, what, excerpt: text.slice(Math.max(0, index - 60), index + length + 60) });
      };
      for (const match of text.matchAll(MARKED_PASSWORD)) found('password', match.index, match[0].length);
      for (const match of text.matchAll(BCRYPT)) found('bcrypt hash', match.index, match[0].length);
      if (!options.tokensAllowed) {
        for (const match of text.matchAll(JWT_SHAPED)) {
          found(this.tokens.has(match[0]) ? 'access token' : 'JWT-shaped string', match.index, match[0].length);
        }
      }
      for (const { what, value } of [...exact, ...hashTails]) {
        const index = text.indexOf(value);
        if (index >= 0) found(what, index, value.length);
      }
    };

    const scanned: Record<string, number> = {};
    for (const app of APPS) {
      const lines = system.logs(app);
      scanned[`log lines of ${app}`] = lines.length;
      scanText(`log of ${app}`, lines.join('\n'));
    }
    scanned['events on user.events'] = tap.messages.length;
    tap.messages.forEach((m, i) => scanText(`event #${i} (${m.routingKey})`, `${m.content}\n${m.meta}`));
    scanned['dead letters'] = deadLetters.length;
    deadLetters.forEach((m, i) => scanText(`dead letter #${i} (${m.routingKey})`, `${m.content}\n${m.meta}`));
    scanned['outbox rows'] = outbox.length;
    outbox.forEach((row, i) => scanText(`outbox row #${i}`, row));
    scanned['HTTP response bodies'] = this.responses.length;
    for (const { label, text } of this.responses) {
      // Login responses carry the caller's own token: that is their purpose, not a leak.
      scanText(`response of ${label}`, text, { tokensAllowed: true });
      const parsed = safeJson(text);
      for (const key of keysDeep(parsed)) {
        if (SECRET_KEY.test(key)) exposures.push({ where: `response of ${label}`, what: `field "${key}"`, excerpt: text.slice(0, 200) });
      }
    }
    scanned['passwords looked for'] = this.passwords.size;
    scanned['tokens issued'] = this.tokens.size;
    scanned['hashes looked for'] = hashes.length;
    return { exposures, scanned };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readUserSecrets(databaseUrl: string): Promise<{ hashes: string[]; outbox: string[] }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const users = await client.query<{ password_hash: string }>('SELECT password_hash FROM users');
    const outbox = await client.query<{ row: string }>(
      `SELECT concat_ws(' ', routing_key, payload::text, headers::text, last_error) AS row FROM outbox`,
    );
    return { hashes: users.rows.map((r) => r.password_hash), outbox: outbox.rows.map((r) => r.row) };
  } finally {
    await client.end();
  }
}

/** A short, readable summary of a scan for the test output. */
export function describeScan(report: ScanReport): string {
  const scanned = Object.entries(report.scanned)
    .map(([what, count]) => `${what}: ${count}`)
    .join(', ');
  const found = report.exposures.slice(0, 20).map((e) => `  - ${e.what} in ${e.where}: …${e.excerpt}…`);
  return `scanned ${scanned}\n${report.exposures.length} exposure(s)${found.length ? `:\n${found.join('\n')}` : ''}`;
}
