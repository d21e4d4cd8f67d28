/** user-service's error codes → HTTP statuses (merged over the runtime's common table). */
export const USER_SERVICE_STATUS_BY_CODE = {
  VALIDATION_FAILED: 400,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  USER_INACTIVE: 403,
  USER_NOT_FOUND: 404,
  EMAIL_ALREADY_EXISTS: 409,
} as const satisfies Record<string, number>;
