import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { startSystem, startTestSmtpServer, type RunningSystem, type SystemApp, type TestSmtpServer } from '@platform/testing';
import { EventTap } from './event-tap';
import { HttpClient, type RawReply } from './http-client';
import { SecretCollector } from './secrets';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
  token: string;
}

export interface AbuseSystem {
  system: RunningSystem;
  smtp: TestSmtpServer;
  /** A copy of every event on user.events since the system started (bound before any test acts). */
  tap: EventTap;
  secrets: SecretCollector;
  /** Talks to the gateway; every reply body is recorded for the secret scan. */
  gateway: HttpClient;
  /** The key user-service signs access tokens with (we chose it, so tests can sign their own). */
  signingKey: KeyObject;
  admin: TestUser;
  /**
   * Signs up (through the gateway) and, unless `login: false`, logs in a new user (`token` is then '');
   * fails the test if either step fails.
   */
  createUser(label: string, options?: { login?: boolean }): Promise<TestUser>;
  login(email: string, password: string): Promise<RawReply>;
  stop(): Promise<void>;
}

/**
 * startSystem with what the abuse tests share: a test SMTP server, a signing key we know, an event tap
 * bound before any test acts, a secret collector, and an HTTP client whose replies the collector sees.
 */
export async function startAbuseSystem(options: {
  name: string;
  env?: Partial<Record<SystemApp, Record<string, string>>>;
}): Promise<AbuseSystem> {
  const smtp = await startTestSmtpServer();
  const { privateKey } = generateKeyPairSync('ed25519');
  let system: RunningSystem | undefined;
  let tap: EventTap | undefined;
  try {
    system = await startSystem({
      smtpUrl: smtp.url,
      name: options.name,
      env: {
        ...options.env,
        'user-service': {
          JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          ...options.env?.['user-service'],
        },
      },
    });
    tap = await EventTap.open(system.vhost.url);
  } catch (error) {
    await system?.stop();
    await smtp.close();
    throw error;
  }
  const running = system;
  const secrets = new SecretCollector();
  secrets.addPassword(running.admin.password);
  const gateway = new HttpClient(running.gatewayUrl, {
    // The API documents describe fields such as `password`: they are schemas, not data.
    onReply: (reply, request) => {
      if (!request.path.startsWith('/docs')) secrets.recordResponse(`${request.method} ${request.path.slice(0, 80)}`, reply.text);
    },
  });

  const login = async (email: string, password: string): Promise<RawReply> => {
    const reply = await gateway.json('POST', '/api/auth/login', { body: { email, password } });
    const token = (reply.json as { accessToken?: unknown } | undefined)?.accessToken;
    if (typeof token === 'string') secrets.addToken(token);
    return reply;
  };
  const tokenFor = async (email: string, password: string): Promise<string> => {
    const reply = await login(email, password);
    if (reply.status !== 200) throw new Error(`login of ${email} answered ${reply.status}: ${reply.text}`);
    return (reply.json as { accessToken: string }).accessToken;
  };
  const createUser = async (label: string, { login: logIn = true }: { login?: boolean } = {}): Promise<TestUser> => {
    const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
    const name = `${label} user`;
    const password = secrets.password();
    const reply = await gateway.json('POST', '/api/users', { body: { email, name, password } });
    if (reply.status !== 201) throw new Error(`sign-up of ${email} answered ${reply.status}: ${reply.text}`);
    const id = (reply.json as { id: string }).id;
    return { id, email, name, password, token: logIn ? await tokenFor(email, password) : '' };
  };

  const adminToken = await tokenFor(running.admin.email, running.admin.password);
  const adminMe = await gateway.json('GET', '/api/users/me', { token: adminToken });
  const admin: TestUser = {
    id: (adminMe.json as { id: string }).id,
    email: running.admin.email,
    name: 'Administrator',
    password: running.admin.password,
    token: adminToken,
  };

  return {
    system: running,
    smtp,
    tap,
    secrets,
    gateway,
    signingKey: privateKey,
    admin,
    createUser,
    login,
    stop: async () => {
      gateway.close();
      await tap?.close();
      await running.stop();
      await smtp.close();
    },
  };
}
