/**
 * Moves dead letters of a queue back to it. Prints a JSON report on stdout; exit code 0 on success.
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register libs/messaging/src/cli/replay-dlq.ts \
 *     --queue notification-service.user-events [--url amqp://...] [--dry-run] [--limit 100]
 *
 * The URL defaults to $RABBITMQ_URL.
 */
import { parseArgs } from 'node:util';
import { redactUrl } from '../connection';
import { ReplayError } from '../errors';
import { replayDeadLetters } from '../replay-dead-letters';
import type { Logger } from '../types';

const usage = 'Usage: replay-dlq --queue <queue> [--url amqp://user:pass@host:5672/vhost | env RABBITMQ_URL] [--dry-run] [--limit <n>]';

// Progress goes to stderr so stdout holds only the report.
const stderrLogger: Logger = {
  debug: () => undefined,
  info: (message, meta) => process.stderr.write(`${JSON.stringify({ level: 'info', message, ...meta })}\n`),
  warn: (message, meta) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...meta })}\n`),
  error: (message, meta) => process.stderr.write(`${JSON.stringify({ level: 'error', message, ...meta })}\n`),
};

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      queue: { type: 'string' },
      url: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      limit: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const url = values.url ?? process.env['RABBITMQ_URL'];
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (!values.queue || !url || (limit !== undefined && (!Number.isInteger(limit) || limit < 0))) {
    throw new Error(`${!values.queue ? 'Missing --queue' : !url ? 'Missing --url (or RABBITMQ_URL)' : 'Invalid --limit'}\n${usage}`);
  }
  stderrLogger.info('Replaying dead letters', { queue: values.queue, url: redactUrl(url), dryRun: values['dry-run'] });
  const report = await replayDeadLetters({
    queue: values.queue,
    url,
    dryRun: values['dry-run'],
    ...(limit !== undefined ? { limit } : {}),
    logger: stderrLogger,
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`replay-dlq failed: ${message}\n`);
    if (error instanceof ReplayError) process.stdout.write(`${JSON.stringify(error.report, null, 2)}\n`);
    process.exitCode = 1;
  },
);
