import type { JwtVerifier, Principal } from '@platform/service-runtime';
import type { Result } from '@platform/shared-kernel';
import type { Express } from 'express';
import { z } from 'zod';
import type { Actor } from '../../application/authorization';
import type { ActivateUserUseCase } from '../../application/use-cases/activate-user/activate-user.use-case';
import type { DeactivateUserUseCase } from '../../application/use-cases/deactivate-user/deactivate-user.use-case';
import type { DeleteUserUseCase } from '../../application/use-cases/delete-user/delete-user.use-case';
import type { GetUserUseCase } from '../../application/use-cases/get-user/get-user.use-case';
import type { ListUsersUseCase } from '../../application/use-cases/list-users/list-users.use-case';
import type { LoginUseCase } from '../../application/use-cases/login/login.use-case';
import type { RegisterUserUseCase } from '../../application/use-cases/register-user/register-user.use-case';
import type { UpdateUserUseCase } from '../../application/use-cases/update-user/update-user.use-case';
import type { UserView } from '../../application/user-view';
import { defineRoute, mountRoutes, openApiDocument, type Route } from './route-table';
import { presentUser } from './user.presenter';
import {
  accessTokenResponse,
  jwksResponse,
  listUsersQuery,
  loginBody,
  registerUserBody,
  updateUserBody,
  userIdParams,
  userPageResponse,
  userResponse,
} from './user.schemas';

export interface UserServiceUseCases {
  registerUser: RegisterUserUseCase;
  login: LoginUseCase;
  getUser: GetUserUseCase;
  listUsers: ListUsersUseCase;
  updateUser: UpdateUserUseCase;
  activateUser: ActivateUserUseCase;
  deactivateUser: DeactivateUserUseCase;
  deleteUser: DeleteUserUseCase;
}

export interface UserServiceHttpDeps {
  useCases: UserServiceUseCases;
  /** Verifies bearer tokens with the service's own public keys. */
  verifier: JwtVerifier;
  /** Largest accepted request body, e.g. `100kb`. */
  bodyLimit: string;
  /** The public signing keys, served at /.well-known/jwks.json. */
  jwks: object;
}

/** A use case's value, or its error thrown for the error handler (which maps the code to a status). */
function valueOf<T, E>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw result.error;
}

/** A user as the response body, or the use case's error thrown. */
const userReply = <E>(result: Result<UserView, E>, status = 200) => ({ status, body: presentUser(valueOf(result)) });

const actorOf = ({ userId, role }: Principal): Actor => ({ userId, role });

const userCommand = (params: { id: string }, principal: Principal, requestId: string) => ({
  actor: actorOf(principal),
  userId: params.id,
  correlationId: requestId,
});

/** What the routes for signed-in callers share, and those on one user (`/users/:id...`) too. */
const signedIn = { tag: 'users', auth: 'bearer' } as const;
const onOneUser = { ...signedIn, params: userIdParams } as const;
const theUser = (description: string, status = 200) => ({ status, description, schema: userResponse });
const notYours = { 403: 'Not your account (FORBIDDEN)', 404: 'No such user (USER_NOT_FOUND)' };
/** Login and sign-up hash a password; a flood of them is shed at once (BCRYPT_MAX_CONCURRENT, BCRYPT_MAX_QUEUED). */
const BUSY = 'Too many password checks in progress (SERVICE_BUSY); retry after Retry-After seconds';
const adminsOnly = { 403: 'Admins only (FORBIDDEN)', 404: 'No such user (USER_NOT_FOUND)' };

export function userServiceRoutes({ useCases, jwks }: Pick<UserServiceHttpDeps, 'useCases' | 'jwks'>): Route[] {
  const routes: Route[] = [
    // The reads first: they are the hot path, and Express tries routes in order (/users/me before /users/:id).
    defineRoute({
      method: 'get',
      ...signedIn,
      path: '/users/me',
      summary: 'The caller',
      success: theUser('The caller'),
      errors: { 404: 'The caller no longer exists (USER_NOT_FOUND)' },
      handle: async ({ principal }) => userReply(await useCases.getUser.execute({ actor: actorOf(principal), userId: principal.userId })),
    }),
    defineRoute({
      ...onOneUser,
      method: 'get',
      path: '/users/:id',
      summary: 'One user (themself, or anyone for an admin)',
      success: theUser('The user'),
      errors: notYours,
      handle: async ({ params, principal }) => userReply(await useCases.getUser.execute({ actor: actorOf(principal), userId: params.id })),
    }),
    defineRoute({
      method: 'post',
      path: '/users',
      summary: 'Sign up (public)',
      tag: 'users',
      auth: 'public',
      body: registerUserBody,
      success: theUser('The new user', 201),
      errors: { 409: 'The email is taken (EMAIL_ALREADY_EXISTS)', 429: BUSY },
      handle: async ({ body, requestId }) => {
        const reply = userReply(await useCases.registerUser.execute({ ...body, correlationId: requestId }), 201);
        return { ...reply, headers: { Location: `/users/${reply.body.id}` } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/login',
      summary: 'Exchange email and password for an access token',
      tag: 'auth',
      auth: 'public',
      body: loginBody,
      success: { status: 200, description: 'An access token', schema: accessTokenResponse },
      errors: {
        401: 'Unknown email or wrong password (INVALID_CREDENTIALS)',
        403: 'The account is deactivated (USER_INACTIVE)',
        429: BUSY,
      },
      handle: async ({ body }) => ({ status: 200, body: valueOf(await useCases.login.execute(body)) }),
    }),
    defineRoute({
      method: 'get',
      ...signedIn,
      path: '/users',
      summary: 'A page of users, oldest first (admins)',
      query: listUsersQuery,
      success: { status: 200, description: 'A page of users', schema: userPageResponse },
      errors: { 403: 'Admins only (FORBIDDEN)' },
      handle: async ({ query, principal }) => {
        const page = valueOf(await useCases.listUsers.execute({ actor: actorOf(principal), ...query }));
        return { status: 200, body: { ...page, items: page.items.map(presentUser) } };
      },
    }),
    defineRoute({
      ...onOneUser,
      method: 'patch',
      path: '/users/:id',
      summary: 'Change name and/or email (themself, or anyone for an admin)',
      body: updateUserBody,
      success: theUser('The changed user'),
      errors: { ...notYours, 409: 'The email is taken (EMAIL_ALREADY_EXISTS)' },
      handle: async ({ params, body, principal, requestId }) =>
        userReply(await useCases.updateUser.execute({ ...userCommand(params, principal, requestId), changes: body })),
    }),
    ...(['activate', 'deactivate'] as const).map((action) =>
      defineRoute({
        ...onOneUser,
        method: 'post',
        path: `/users/:id/${action}`,
        summary: `${action === 'activate' ? 'Activate' : 'Deactivate'} a user (admins)`,
        success: theUser('The user'),
        errors: adminsOnly,
        handle: async ({ params, principal, requestId }) => {
          const useCase = action === 'activate' ? useCases.activateUser : useCases.deactivateUser;
          return userReply(await useCase.execute(userCommand(params, principal, requestId)));
        },
      }),
    ),
    defineRoute({
      ...onOneUser,
      method: 'delete',
      path: '/users/:id',
      summary: 'Delete a user (themself, or anyone for an admin)',
      success: { status: 204, description: 'Deleted' },
      errors: notYours,
      handle: async ({ params, principal, requestId }) => {
        valueOf(await useCases.deleteUser.execute(userCommand(params, principal, requestId)));
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'The public keys that verify access tokens',
      tag: 'auth',
      auth: 'public',
      success: { status: 200, description: 'JSON Web Key Set', schema: jwksResponse },
      handle: () => ({ status: 200, body: jwks, headers: { 'Cache-Control': 'public, max-age=300' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tag: 'docs',
      auth: 'public',
      success: { status: 200, description: 'OpenAPI 3.1 document', schema: z.looseObject({ openapi: z.string() }) },
      handle: () => ({ status: 200, body: document }),
    }),
  ];
  const document = openApiDocument(routes, {
    title: 'user-service',
    version: '1.0.0',
    description: 'Users, sign-up, login and access tokens. Errors are `{ error: { code, message, details?, requestId } }`.',
  });
  return routes;
}

/** Mounts user-service's HTTP API on an app made by createServiceApp. */
export function mountUserServiceHttp(app: Express, deps: UserServiceHttpDeps): void {
  mountRoutes(app, userServiceRoutes(deps), deps);
}
