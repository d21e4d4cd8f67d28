import type { AccessToken, TokenIssuer } from '../../domain/auth/token-issuer';
import type { Role } from '../../domain/user/role';

export class FakeTokenIssuer implements TokenIssuer {
  async issue({ userId, role }: { userId: string; role: Role }): Promise<AccessToken> {
    return { accessToken: `token(${userId},${role})`, tokenType: 'Bearer', expiresIn: 900 };
  }
}
