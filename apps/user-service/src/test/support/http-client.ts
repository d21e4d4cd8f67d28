import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';

export const USER_PASSWORD = 'User-Secret-77';

export const uniqueEmail = (label = 'user') => `${label}-${randomBytes(4).toString('hex')}@example.com`;

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Thin wrappers over supertest for the flows most tests start with. */
export function httpClient(app: Express) {
  const client = {
    signUp: async (body: { email?: string; name?: string; password?: string } = {}) => {
      const res = await request(app)
        .post('/users')
        .send({ email: body.email ?? uniqueEmail(), name: body.name ?? 'Test User', password: body.password ?? USER_PASSWORD });
      if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body as { id: string; email: string; name: string; role: string; isActive: boolean };
    },
    login: async (email: string, password: string) => {
      const res = await request(app).post('/auth/login').send({ email, password });
      if (res.status !== 200) throw new Error(`login answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.accessToken as string;
    },
    /** A new user and their token. */
    newUser: async (password = USER_PASSWORD) => {
      const user = await client.signUp({ password });
      return { ...user, token: await client.login(user.email, password) };
    },
  };
  return client;
}
