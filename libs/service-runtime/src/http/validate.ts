import type { z } from 'zod';
import { HttpError } from './http-error';

export type RequestPart = 'body' | 'query' | 'params';

export interface ValidationIssue {
  location: RequestPart;
  path: string;
  message: string;
}

/**
 * Parses one part of a request with a zod schema or throws 400 VALIDATION_FAILED listing every issue.
 * Issue messages never echo the submitted values (they might be secrets).
 */
export function validateRequest<S extends z.ZodType>(schema: S, value: unknown, location: RequestPart): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
    location,
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `Unknown or forbidden field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new HttpError(400, 'VALIDATION_FAILED', `Invalid request ${location}`, { issues });
}
