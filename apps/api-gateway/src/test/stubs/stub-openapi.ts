/** OpenAPI documents shaped like the services' (until the real ones answer): `users` or `notifications`. */
const errorResponse = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

const jsonBody = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const bearer = [{ bearerAuth: [] }];

function usersDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'user-service', version: '1.0.0' },
    security: bearer,
    tags: [{ name: 'users' }, { name: 'auth' }],
    paths: {
      '/users': {
        post: {
          tags: ['users'],
          summary: 'Sign up',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/CreateUser' },
                example: { email: 'ada@example.com', name: 'Ada', password: 'correct horse battery' },
              },
            },
          },
          responses: {
            '201': { description: 'Created', ...jsonBody('User') },
            '400': { description: 'Invalid', ...jsonBody('ErrorResponse') },
          },
        },
        get: { tags: ['users'], summary: 'List users', responses: { '200': { description: 'A page', ...jsonBody('Page') } } },
      },
      '/users/{id}': {
        get: {
          tags: ['users'],
          summary: 'Get a user',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The user', ...jsonBody('User') } },
        },
      },
      '/auth/login': {
        post: {
          tags: ['auth'],
          summary: 'Log in',
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': { description: 'A token' } },
        },
      },
      '/health/ready': { get: { responses: { '200': { description: 'Ready' } } } },
      '/.well-known/jwks.json': { get: { security: [], responses: { '200': { description: 'Keys' } } } },
    },
    components: {
      schemas: {
        ErrorResponse: errorResponse,
        CreateUser: {
          type: 'object',
          properties: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
          required: ['email', 'name', 'password'],
        },
        User: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' } } },
        Page: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/User' } } } },
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

function notificationsDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'notification-service', version: '1.0.0' },
    paths: {
      '/notifications': {
        get: {
          security: bearer,
          summary: 'List notifications',
          responses: { '200': { description: 'A page', ...jsonBody('Page') } },
        },
      },
      '/notifications/{id}': {
        get: {
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'One notification' },
            '404': { description: 'Unknown', ...jsonBody('ErrorResponse') },
          },
        },
      },
      '/metrics': { get: { responses: { '200': { description: 'Prometheus' } } } },
    },
    components: {
      schemas: {
        ErrorResponse: errorResponse,
        Notification: { type: 'object', properties: { id: { type: 'string' }, subject: { type: 'string' } } },
        Page: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Notification' } } } },
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

export function stubOpenApiDocument(kind: string | undefined): object | undefined {
  if (kind === 'users') return usersDocument();
  if (kind === 'notifications') return notificationsDocument();
  return undefined;
}
