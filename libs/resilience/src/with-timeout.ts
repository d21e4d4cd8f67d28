import { TimeoutError } from './errors';
import { abortReason } from './sleep';

export interface TimeoutOptions {
  /** A caller's signal: aborting it aborts the operation too. */
  signal?: AbortSignal;
  message?: string;
}

/**
 * Runs `operation` with a deadline. The operation receives a signal that aborts (with a TimeoutError as
 * reason) when the deadline passes or the caller's signal aborts, so it can stop its own I/O. The timer is
 * always cleared, whichever way the race ends.
 */
export async function withTimeout<T>(
  operation: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  options: TimeoutOptions = {},
): Promise<T> {
  const controller = new AbortController();
  const parent = options.signal;
  if (parent?.aborted) throw abortReason(parent);

  let timer: NodeJS.Timeout | undefined;
  const onParentAbort = (): void => controller.abort(abortReason(parent as AbortSignal));
  parent?.addEventListener('abort', onParentAbort, { once: true });

  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(timeoutMs, options.message);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    controller.signal.addEventListener('abort', () => reject(abortReason(controller.signal)), { once: true });
  });

  try {
    return await Promise.race([operation(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
