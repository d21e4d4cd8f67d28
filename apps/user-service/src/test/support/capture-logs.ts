import { createLogger, type Logger } from '@platform/service-runtime';
import TransportStream from 'winston-transport';

const MESSAGE = Symbol.for('message');

/** winston's transport base class (winston-transport ships with winston). Keeps every formatted line (exactly what the service would write), for assertions and secret scans. */
class MemoryTransport extends TransportStream {
  readonly lines: string[] = [];

  override log(info: Record<symbol, unknown>, next: () => void): void {
    this.lines.push(String(info[MESSAGE]));
    next();
  }
}

export interface CapturedLogs {
  logger: Logger;
  /** The JSON lines written so far. */
  lines: string[];
  records(): Array<Record<string, unknown>>;
}

export function captureLogs(service = 'user-service'): CapturedLogs {
  const transport = new MemoryTransport();
  const logger = createLogger({ service, level: 'debug', pretty: false, transports: [transport] });
  return { logger, lines: transport.lines, records: () => transport.lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
