import type { Logger } from './types';

const noop = (): void => undefined;

export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
