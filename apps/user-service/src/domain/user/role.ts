export const ROLES = ['user', 'admin'] as const;

/** What a user may do: `admin` may act on every user, `user` only on itself. */
export type Role = (typeof ROLES)[number];
