import type { Role } from '../user/role';

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

export interface TokenIssuer {
  issue(subject: { userId: string; role: Role }): Promise<AccessToken>;
}
