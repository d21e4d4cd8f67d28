import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestVhost, type TestVhost } from '@platform/testing';
import { ConfirmPublisher } from './confirm-publisher';
import { RabbitConnection } from './connection';
import { PermanentMessageError } from './errors';
import { ReliableConsumer } from './reliable-consumer';
import { replayDeadLetters } from './replay-dead-letters';
import { deadLetterQueueName } from './topology';
import { messageCount, openInspector, waitFor } from './test/helpers';
import type { InboundMessage, ReplayReport } from './types';

jest.setTimeout(30_000);

const execFileAsync = promisify(execFile);
const WORKSPACE_ROOT = resolve(__dirname, '../../..');
const QUEUE = 'notification-service.user-events';
const DLQ = deadLetterQueueName(QUEUE);
const EXCHANGE = 'user.events';

/** Runs the CLI the way an Nx target does. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['-r', '@swc-node/register', 'libs/messaging/src/cli/replay-dlq.ts', ...args],
      { cwd: WORKSPACE_ROOT, env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', ...env }, timeout: 20_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('replayDeadLetters', () => {
  let vhost: TestVhost;
  let connection: RabbitConnection;
  let publisher: ConfirmPublisher;
  let consumer: ReliableConsumer;
  let inspector: Awaited<ReturnType<typeof openInspector>>;
  let brokenUntilReplay = true;
  const handled: InboundMessage[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('messaging-replay');
    connection = new RabbitConnection({ url: vhost.url, reconnectBaseDelayMs: 50 });
    publisher = new ConfirmPublisher(connection);
    await publisher.assertTopicExchange(EXCHANGE);
    consumer = new ReliableConsumer(connection, {
      queue: QUEUE,
      exchange: EXCHANGE,
      routingKeys: ['user.created.v1', 'user.deleted.v1'],
      retryDelaysMs: [50],
      handler: async (message) => {
        if (brokenUntilReplay) throw new PermanentMessageError('TEMPLATE_MISSING', 'no template for this event');
        handled.push(message);
      },
    }).start();
    await connection.start().waitUntilConnected(5_000);
    await waitFor(() => consumer.isConsuming(), 5_000, 'consumer');
    inspector = await openInspector(vhost.url);

    for (const [i, routingKey] of ['user.created.v1', 'user.deleted.v1', 'user.created.v1'].entries()) {
      await publisher.publish({
        exchange: EXCHANGE,
        routingKey,
        body: Buffer.from(JSON.stringify({ eventId: `evt-${i}` })),
        messageId: `evt-${i}`,
        correlationId: `corr-${i}`,
        headers: { 'x-tenant': 'acme' },
      });
    }
    await waitFor(async () => (await messageCount(inspector.channel, DLQ)) === 3, 5_000, '3 dead letters');
  });

  afterAll(async () => {
    await inspector?.close();
    await consumer?.stop();
    await publisher?.close();
    await connection?.close();
    await vhost?.dispose();
  });

  it('dry run lists what would move and leaves the DLQ as it is', async () => {
    const report = await replayDeadLetters({ url: vhost.url, queue: QUEUE, dryRun: true });

    expect(report).toMatchObject({ queue: QUEUE, deadLetterQueue: DLQ, dryRun: true, found: 3, count: 3 });
    expect(report.messages).toEqual([
      expect.objectContaining({ messageId: 'evt-0', routingKey: 'user.created.v1', reason: 'TEMPLATE_MISSING', attempts: 1 }),
      expect.objectContaining({ messageId: 'evt-1', routingKey: 'user.deleted.v1', reason: 'TEMPLATE_MISSING', attempts: 1 }),
      expect.objectContaining({ messageId: 'evt-2', routingKey: 'user.created.v1', reason: 'TEMPLATE_MISSING', attempts: 1 }),
    ]);
    expect(typeof report.messages[0]?.deadLetteredAt).toBe('string');
    expect(await messageCount(inspector.channel, DLQ)).toBe(3);
    expect(handled).toHaveLength(0);
  });

  it('the CLI prints the dry-run report as JSON and exits 0; bad arguments exit 1', async () => {
    const ok = await runCli(['--queue', QUEUE, '--dry-run'], { RABBITMQ_URL: vhost.url });
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as ReplayReport;
    expect(report).toMatchObject({ dryRun: true, found: 3, count: 3 });
    expect(ok.stderr).not.toContain('guest:guest');
    expect(await messageCount(inspector.channel, DLQ)).toBe(3);

    const missingQueue = await runCli(['--url', vhost.url]);
    expect(missingQueue.code).toBe(1);
    expect(missingQueue.stderr).toContain('Missing --queue');

    const noSuchQueue = await runCli(['--queue', 'nobody.home', '--url', vhost.url]);
    expect(noSuchQueue.code).toBe(1);
    expect(noSuchQueue.stderr).toContain('NOT_FOUND');
  });

  it('moves the messages back to the queue, where they are consumed as first attempts', async () => {
    brokenUntilReplay = false;
    // Another subscriber of the exchange must not see the replayed messages.
    await inspector.channel.assertQueue('audit', { durable: true });
    await inspector.channel.bindQueue('audit', EXCHANGE, '#');

    const first = await replayDeadLetters({ connection, queue: QUEUE, limit: 2 });
    expect(first).toMatchObject({ dryRun: false, found: 3, count: 2 });
    await waitFor(() => handled.length === 2, 5_000, '2 replayed messages consumed');
    expect(await messageCount(inspector.channel, DLQ)).toBe(1);

    const rest = await replayDeadLetters({ url: vhost.url, queue: QUEUE });
    expect(rest).toMatchObject({ found: 1, count: 1 });
    await waitFor(() => handled.length === 3, 5_000, 'all replayed messages consumed');

    expect(handled.map((m) => [m.messageId, m.routingKey, m.exchange, m.attempt])).toEqual([
      ['evt-0', 'user.created.v1', EXCHANGE, 1],
      ['evt-1', 'user.deleted.v1', EXCHANGE, 1],
      ['evt-2', 'user.created.v1', EXCHANGE, 1],
    ]);
    // Dead-letter headers are gone; the application's own headers and ids survive.
    expect(handled[0]?.headers).toEqual({ 'x-tenant': 'acme' });
    expect(handled[0]?.correlationId).toBe('corr-0');
    expect(await messageCount(inspector.channel, DLQ)).toBe(0);
    expect(await messageCount(inspector.channel, QUEUE)).toBe(0);
    expect(await messageCount(inspector.channel, 'audit')).toBe(0);
  });
});
