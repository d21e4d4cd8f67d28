/**
 * The one spelling of an email address: trimmed and lower-cased. user-service stores users under it (one
 * mailbox is one user), and the gateway keys its login limits by it, so every spelling of an address
 * lands in that address's limit bucket.
 */
export function canonicalEmail(raw: string): string {
  return raw.trim().toLowerCase();
}
