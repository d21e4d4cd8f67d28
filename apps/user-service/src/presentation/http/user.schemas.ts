import { EMAIL_MAX_LENGTH, EMAIL_PATTERN, USER_NAME_MAX_LENGTH } from '@platform/event-contracts';
import { queryInteger } from '@platform/service-runtime';
import { z } from 'zod';
import { ROLES } from '../../domain/user/role';

/**
 * Request and response schemas. The same objects validate requests and generate /openapi.json. Request
 * objects are strict: an unknown field, or one a caller may not set (id, role, isActive, passwordHash,
 * timestamps), is a 400.
 */
const email = z
  .string()
  .max(EMAIL_MAX_LENGTH)
  .regex(EMAIL_PATTERN, 'must be a valid email address (at most 64 characters before the @)')
  .meta({ format: 'email', description: 'Case-insensitive; stored lower-cased', example: 'ada@example.com' });
const name = z.string().trim().min(2).max(USER_NAME_MAX_LENGTH).meta({ example: 'Ada Lovelace' });
const password = z.string().min(8).max(72).meta({
  description: 'At least 8 characters, with an upper-case letter and a digit; at most 72 bytes in UTF-8 (longer is refused, not truncated)',
  format: 'password',
  example: 'Correct-Horse-1',
});

export const userIdParams = z.strictObject({
  id: z.uuid().meta({ description: 'The user id', example: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d' }),
});

export const registerUserBody = z.strictObject({ email, name, password }).meta({ id: 'RegisterUserRequest' });

export const loginBody = z
  .strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024).meta({ format: 'password' }) })
  .meta({ id: 'LoginRequest' });

export const updateUserBody = z
  .strictObject({ name: name.optional(), email: email.optional() })
  .refine((body) => body.name !== undefined || body.email !== undefined, { message: 'Give a name, an email or both' })
  .meta({ id: 'UpdateUserRequest' });

export const listUsersQuery = z.strictObject({
  page: queryInteger({ min: 1, max: 1_000_000, fallback: 1 }).meta({ description: '1-based page number' }),
  limit: queryInteger({ min: 1, max: 100, fallback: 20 }).meta({ description: 'Users per page (1–100)' }),
  isActive: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .meta({ description: 'Only active (true) or inactive (false) users' }),
});

export const userResponse = z
  .object({
    id: z.uuid(),
    email: z.email(),
    name: z.string(),
    role: z.enum(ROLES),
    isActive: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const userPageResponse = z
  .object({ items: z.array(userResponse), page: z.number().int(), limit: z.number().int(), total: z.number().int() })
  .meta({ id: 'UserPage' });

export const accessTokenResponse = z
  .object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int().meta({ description: 'Seconds' }) })
  .meta({ id: 'AccessToken' });

export const jwksResponse = z
  .object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() })) })
  .meta({ id: 'JsonWebKeySet' });

export type UserResponse = z.infer<typeof userResponse>;
