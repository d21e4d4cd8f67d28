/**
 * The display-name rules every component shares (user-service's edge schemas and UserName value object, and
 * the event contracts): an accepted name never fails a contract, and a name cannot reorder what is around it.
 */

/** In UTF-16 code units, as JavaScript and zod measure strings. */
export const USER_NAME_MAX_LENGTH = 100;

/**
 * Unicode bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F
 * marks, U+061C the Arabic letter mark): in a name they can make a mail or an admin page display text in an
 * order other than the one stored ("Trojan Source", CVE-2021-42574).
 */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** A name without bidi controls (a `pattern` JSON Schema consumers can check too). */
export const NO_BIDI_CONTROLS = /^[^\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$/;

export function hasBidiControls(text: string): boolean {
  return BIDI_CONTROLS.test(text);
}
