import { z } from 'zod';
import { Result } from '@platform/shared-kernel';

/** Settings every app shares. Apps extend this object with their own variables. */
export const baseConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Hard deadline of a graceful shutdown: in-flight work that is not done by then is cut off. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /** Largest accepted request body, e.g. `100kb`. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
    .default('100kb'),
};

/** `true/false/1/0/yes/no/on/off`, case-insensitive, as a boolean. */
export const envBoolean = () => z.stringbool();

export interface ConfigIssue {
  readonly variable: string;
  readonly problem: string;
}

/** Validates `env` against `schema`; lists every offending variable (never its value, it may be a secret). */
export function parseConfig<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: Record<string, string | undefined> = process.env,
): Result<z.infer<z.ZodObject<Shape>>, ConfigIssue[]> {
  // An empty variable means "not set", so the default applies (as in docker-compose files and k8s).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return Result.ok(parsed.data);
  return Result.fail(
    parsed.error.issues.map((issue) => ({
      variable: issue.path.length > 0 ? issue.path.join('.') : '(config)',
      problem: issue.message,
    })),
  );
}

/** For composition roots: returns the config or prints every problem to stderr and exits with code 1. */
export function loadConfig<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: Record<string, string | undefined> = process.env,
  serviceName = 'service',
): z.infer<z.ZodObject<Shape>> {
  const result = parseConfig(schema, env);
  if (result.ok) return result.value;
  const lines = result.error.map((issue) => `  - ${issue.variable}: ${issue.problem}`);
  process.stderr.write(`${serviceName}: invalid configuration, fix these environment variables:\n${lines.join('\n')}\n`);
  process.exit(1);
}
