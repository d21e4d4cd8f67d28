import { dictionary } from '@zxcvbn-ts/language-common';

/** The bootstrap admin's password in production: at least this many characters (code points)… */
export const ADMIN_PASSWORD_MIN_LENGTH = 12;

// …and not one of zxcvbn-ts's ≈49k common passwords. Loaded on first use (≈0.3 s): only production checks it.
let commonPasswords: ReadonlySet<string> | undefined;

/**
 * Why `password` is too weak for the production admin account, or undefined. A password counts as common
 * when it is on the list ignoring case, also with digits and symbols appended (`Password2024!`). The
 * answer never contains the password.
 */
export function weakAdminPasswordProblem(password: string): string | undefined {
  if ([...password].length < ADMIN_PASSWORD_MIN_LENGTH)
    return `must be at least ${ADMIN_PASSWORD_MIN_LENGTH} characters long in production`;
  commonPasswords ??= new Set(dictionary['passwords-common']);
  const lowered = password.toLowerCase();
  const stem = lowered.replace(/[\p{N}\p{P}\p{S}\s]+$/u, '');
  if (commonPasswords.has(lowered) || commonPasswords.has(stem)) return 'is a common password (it is on a list attackers try first)';
  return undefined;
}
