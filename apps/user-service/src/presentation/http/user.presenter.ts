import type { UserView } from '../../application/user-view';
import type { UserResponse } from './user.schemas';

/** The JSON of a user. Field by field, so nothing else (a hash) can ever slip into a response. */
export function presentUser(user: UserView): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    isActive: user.isActive,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
