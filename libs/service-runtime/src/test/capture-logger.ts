import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../logger';

/** A real logger whose JSON lines are captured for assertions. */
export function captureLogger(service = 'test'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ service, level: 'debug', pretty: false, transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
