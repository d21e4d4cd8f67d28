import type { Logger } from './logger';

/**
 * Last line of defence: an error nobody handled is logged (redacted, with its stack) and ends the process
 * with code 1, so the orchestrator restarts it instead of leaving it running in an unknown state.
 */
export function installProcessErrorHandlers(logger: Logger): void {
  const crash = (kind: string) => (error: unknown) => {
    logger.error(`${kind}; exiting`, { err: error });
    // Give the logger a moment to flush.
    setTimeout(() => process.exit(1), 100).unref();
  };
  process.on('uncaughtException', crash('Uncaught exception'));
  process.on('unhandledRejection', crash('Unhandled promise rejection'));
}
