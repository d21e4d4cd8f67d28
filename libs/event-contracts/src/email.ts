/**
 * The email rules every component shares: user-service's edge schemas and its Email value object, and the
 * integration event contracts all use these, so an address one accepts never fails another.
 */

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so an address 254. */
export const EMAIL_MAX_LENGTH = 254;
/** RFC 5321 §4.5.3.1.1. */
export const EMAIL_LOCAL_PART_MAX_LENGTH = 64;
/** RFC 5321 §4.5.3.1.2 allows 255, but an address of at most 254 octets never has a longer domain. */
export const EMAIL_DOMAIN_MAX_LENGTH = 255;

/**
 * zod 4's `z.email()` pattern with the RFC length limits added: a local part of 1–64 octets (the lookahead)
 * and domain labels of at most 63 (RFC 1035 §2.3.4). ASCII only, so characters are octets. Use it with
 * `EMAIL_MAX_LENGTH` (see `isValidEmail`).
 */
export const EMAIL_PATTERN =
  /^(?=[^@]{1,64}@)(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}$/;

/** A syntactically valid address within the RFC 5321 length limits. */
export function isValidEmail(address: string): boolean {
  return address.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(address);
}

/**
 * The one spelling of an email address: trimmed and lower-cased. user-service stores users under it (one
 * mailbox is one user), and the gateway keys its login limits by it, so every spelling of an address
 * lands in that address's limit bucket.
 */
export function canonicalEmail(raw: string): string {
  return raw.trim().toLowerCase();
}
