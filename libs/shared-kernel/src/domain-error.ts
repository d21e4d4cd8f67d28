/**
 * Base of every expected, named failure. `code` is stable and machine-readable: the HTTP edge maps codes
 * to statuses in one table, so never rely on the class name (it does not survive bundling/minifying).
 */
export abstract class DomainError<Code extends string = string> extends Error {
  abstract readonly code: Code;

  protected constructor(
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A value that breaks an invariant: empty, too long, out of range, malformed. */
export class ValidationError extends DomainError<'VALIDATION_FAILED'> {
  readonly code = 'VALIDATION_FAILED' as const;

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message, { field });
  }
}
