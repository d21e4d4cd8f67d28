import net from 'node:net';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { INFRASTRUCTURE, requireInfrastructure } from './infrastructure';
import { createTestDatabase } from './postgres';
import { startTestSmtpServer } from './smtp';
import { waitFor } from './wait-for';

describe('requireInfrastructure', () => {
  it('passes when the local services answer', async () => {
    await expect(requireInfrastructure(['postgres', 'redis', 'rabbitmq'])).resolves.toBeUndefined();
  });

  it('names the missing service, its address and how to start it', async () => {
    const original = INFRASTRUCTURE.redis.url;
    INFRASTRUCTURE.redis.url = 'redis://127.0.0.1:1';
    try {
      await expect(requireInfrastructure(['redis'])).rejects.toThrow(/Redis is not reachable at 127\.0\.0\.1:1\. Start it with: redis-server/);
    } finally {
      INFRASTRUCTURE.redis.url = original;
    }
  });
});

describe('createTestDatabase', () => {
  it('creates an empty database and drops it on dispose', async () => {
    const db = await createTestDatabase('testing_lib');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    await client.end();
    expect(rows[0].name).toBe(db.name);
    await db.dispose();
    const again = new Client({ connectionString: db.url });
    await expect(again.connect()).rejects.toThrow(/does not exist/);
    await again.end().catch(() => undefined);
  });
});

describe('startTestSmtpServer', () => {
  it('receives and parses real SMTP mail, and can refuse it temporarily', async () => {
    const smtp = await startTestSmtpServer();
    const transport = nodemailer.createTransport({ url: smtp.url } as never);
    try {
      await transport.sendMail({ from: 'a@example.com', to: 'B@example.com', subject: 'Hi', text: 'Hello <b>', html: '<p>Hello</p>' });
      const mail = await smtp.waitForMail((m) => m.subject === 'Hi');
      expect(mail).toMatchObject({ to: ['b@example.com'], from: 'a@example.com', text: 'Hello <b>', html: '<p>Hello</p>' });
      expect(smtp.mailsTo('b@example.com')).toHaveLength(1);

      smtp.failing = true;
      await expect(transport.sendMail({ from: 'a@example.com', to: 'c@example.com', subject: 'No', text: 'x' })).rejects.toMatchObject({ responseCode: 451 });
      expect(smtp.mails).toHaveLength(1);
    } finally {
      transport.close();
      await smtp.close();
    }
  });

  it('survives a client that resets its connection mid-session (a killed service)', async () => {
    const smtp = await startTestSmtpServer();
    const transport = nodemailer.createTransport({ url: smtp.url } as never);
    try {
      const socket = net.connect(Number(new URL(smtp.url).port), '127.0.0.1');
      await new Promise((resolve) => socket.once('data', resolve)); // the greeting
      socket.write('EHLO killed.example.com\r\nMAIL FROM:<a@example.com>\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'Still here', text: 'x' });
      expect((await smtp.waitForMail((m) => m.subject === 'Still here')).to).toEqual(['b@example.com']);
    } finally {
      transport.close();
      await smtp.close();
    }
  });
});

describe('waitFor', () => {
  it('returns the first truthy probe value', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? 'ready' : undefined), { intervalMs: 1 })).resolves.toBe('ready');
  });

  it('times out with the description and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('nope');
        },
        { timeoutMs: 30, intervalMs: 5, description: 'the moon' },
      ),
    ).rejects.toThrow(/waiting for the moon \(last error: nope\)/);
  });
});
