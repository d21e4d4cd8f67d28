import { BulkheadFullError } from './errors';

export interface BulkheadOptions {
  name: string;
  /** Calls running at the same time. */
  maxConcurrent: number;
  /** Calls waiting for a slot; one more is refused at once with BulkheadFullError. */
  maxQueued: number;
}

/**
 * A semaphore with a short queue: at most `maxConcurrent` calls run, `maxQueued` wait (first come, first
 * served), and any further call is refused at once instead of waiting. Bounds both the work in progress
 * and how long a call can wait for it, so a flood is shed quickly rather than slowing everyone down.
 */
export class Bulkhead {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: BulkheadOptions) {
    if (options.maxConcurrent < 1) throw new RangeError('maxConcurrent must be >= 1');
    if (options.maxQueued < 0) throw new RangeError('maxQueued must be >= 0');
  }

  get inProgress(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.running < this.options.maxConcurrent) {
      this.running++;
    } else if (this.waiting.length < this.options.maxQueued) {
      // The slot is handed over by the call that finishes (running stays the same).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      throw new BulkheadFullError(this.options.name);
    }
    try {
      return await operation();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
