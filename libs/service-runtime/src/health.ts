import { Router } from 'express';
import { withTimeout } from '@platform/resilience';
import { redactString } from './redact';

export type HealthCheck = (signal: AbortSignal) => Promise<void>;

interface RegisteredCheck {
  check: HealthCheck;
  /** A failing critical check makes the app unready (503); a non-critical one only reports "degraded". */
  critical: boolean;
}

export interface CheckReport {
  status: 'up' | 'down';
  critical: boolean;
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ok' | 'degraded' | 'unavailable' | 'shutting_down';
  checks: Record<string, CheckReport>;
}

/**
 * Liveness says "the process works" (restart me if not); readiness says "send me traffic" and runs the
 * registered dependency checks, each under a timeout, all at once.
 */
export class Health {
  private readonly checks = new Map<string, RegisteredCheck>();
  private shuttingDown = false;

  constructor(private readonly checkTimeoutMs = 1_000) {}

  register(name: string, check: HealthCheck, options: { critical?: boolean } = {}): this {
    this.checks.set(name, { check, critical: options.critical ?? true });
    return this;
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, critical }]): Promise<[string, CheckReport]> => {
        const started = performance.now();
        try {
          await withTimeout(check, this.checkTimeoutMs, { message: `${name} check timed out` });
          return [name, { status: 'up', critical, latencyMs: Math.round(performance.now() - started) }];
        } catch (error) {
          const message = redactString(error instanceof Error ? error.message : String(error));
          return [name, { status: 'down', critical, latencyMs: Math.round(performance.now() - started), error: message }];
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const failing = entries.filter(([, report]) => report.status === 'down');
    const status = this.shuttingDown
      ? 'shutting_down'
      : failing.some(([, report]) => report.critical)
        ? 'unavailable'
        : failing.length > 0
          ? 'degraded'
          : 'ok';
    return { status, checks };
  }

  router(): Router {
    const router = Router();
    router.get('/health/live', (_req, res) => {
      res.json({ status: 'ok' });
    });
    router.get('/health/ready', async (_req, res) => {
      const report = await this.readiness();
      const ready = report.status === 'ok' || report.status === 'degraded';
      res.status(ready ? 200 : 503).json(report);
    });
    return router;
  }
}
