import net from 'node:net';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { INFRASTRUCTURE, requireInfrastructure } from './infrastructure';
import { parseWrkOutput, runTool } from './load-tools';
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
      await expect(requireInfrastructure(['redis'])).rejects.toThrow(
        /Redis is not reachable at 127\.0\.0\.1:1\. Start it with: redis-server/,
      );
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
      await expect(transport.sendMail({ from: 'a@example.com', to: 'c@example.com', subject: 'No', text: 'x' })).rejects.toMatchObject({
        responseCode: 451,
      });
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

describe('load tools', () => {
  it('reads the figures of a wrk run', () => {
    const output = [
      'Running 10s test @ http://127.0.0.1:3000/api/users/1',
      '  Latency Distribution',
      '     50%  823.00us',
      '     99%   12.51ms',
      '  41234 requests in 10.00s, 9.87MB read',
      '  Socket errors: connect 0, read 2, write 0, timeout 1',
      '  Non-2xx or 3xx responses: 5',
      'Requests/sec:   4123.40',
    ].join('\n');
    expect(parseWrkOutput(output)).toEqual({
      requestsPerSecond: 4123.4,
      p50Ms: expect.closeTo(0.823, 6),
      p99Ms: 12.51,
      requests: 41234,
      non2xx: 5,
      socketErrors: 3,
    });
  });

  it('fails with the exit code and stderr, never the arguments (they carry tokens)', async () => {
    await expect(runTool('bash', ['-c', 'echo oops >&2; exit 3', 'Bearer secret-token'])).rejects.toThrow(/exit code 3: oops$/);
    await expect(runTool('bash', ['-c', 'exit 3', 'Bearer secret-token'])).rejects.not.toThrow(/secret-token/);
  });
});
