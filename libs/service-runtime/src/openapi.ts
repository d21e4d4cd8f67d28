import { z } from 'zod';

/** The error body of every app, for OpenAPI documents. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });

/** An OpenAPI response entry that returns the common error body. */
export function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: errorResponseSchema } } };
}

export const bearerSecurityScheme = {
  bearerAuth: { type: 'http' as const, scheme: 'bearer', bearerFormat: 'JWT' },
};
