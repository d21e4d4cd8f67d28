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

export interface HealthOptions {
  /** A check that has not answered by then is down. Default 1 s. */
  checkTimeoutMs?: number;
  /**
   * A readiness report is reused this long, and callers meanwhile share one run: however often readiness is
   * asked for, each dependency is checked at most about once per period. Default 1 s.
   */
  cacheMs?: number;
}

/**
 * Liveness says "the process works" (restart me if not); readiness says "send me traffic" and runs the
 * registered dependency checks, each under a timeout, all at once (at most once per `cacheMs`).
 */
export class Health {
  private readonly checks = new Map<string, RegisteredCheck>();
  private readonly checkTimeoutMs: number;
  private readonly cacheMs: number;
  private shuttingDown = false;
  private latest?: { report: Promise<ReadinessReport>; at: number };

  constructor(options: HealthOptions = {}) {
    this.checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
    this.cacheMs = options.cacheMs ?? 1_000;
  }

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
    const now = performance.now();
    if (!this.latest || now - this.latest.at >= this.cacheMs) this.latest = { report: this.runChecks(), at: now };
    const report = await this.latest.report;
    // Shutting down shows at once, cache or not.
    return this.shuttingDown ? { ...report, status: 'shutting_down' } : report;
  }

  private async runChecks(): Promise<ReadinessReport> {
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
    const status = failing.some(([, report]) => report.critical) ? 'unavailable' : failing.length > 0 ? 'degraded' : 'ok';
    return { status, checks };
  }

  /**
   * `/health/live`, and `/health/ready` with the report of every check unless `readiness` is false: the
   * report names the dependencies, so an app whose port is public (the gateway) serves it on an internal
   * port only.
   */
  router(options: { readiness?: boolean } = {}): Router {
    const router = Router();
    router.get('/health/live', (_req, res) => {
      res.json({ status: 'ok' });
    });
    if (options.readiness === false) return router;
    router.get('/health/ready', async (_req, res) => {
      const report = await this.readiness();
      const ready = report.status === 'ok' || report.status === 'degraded';
      res.status(ready ? 200 : 503).json(report);
    });
    return router;
  }
}
