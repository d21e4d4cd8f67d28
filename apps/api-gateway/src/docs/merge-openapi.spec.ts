import { mergeOpenApi, type OpenApiDocument } from './merge-openapi';

const schema = (name: string) => ({ type: 'object', title: name });

function users(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    security: [{ bearerAuth: [] }],
    tags: [{ name: 'users' }],
    paths: {
      '/users': { post: { security: [], responses: {} }, get: { responses: {} } },
      '/users/{id}': {
        get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } } } } },
      },
      '/auth/login': { post: { security: [], responses: {} } },
      '/health/ready': { get: { responses: {} } },
      '/usersettings': { get: { responses: {} } },
    },
    components: {
      schemas: { Error: schema('Error'), Page: schema('UserPage') },
      securitySchemes: { bearerAuth: { type: 'http' } },
    },
  };
}

function notifications(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    tags: [{ name: 'users' }, { name: 'notifications' }],
    paths: {
      '/notifications': {
        get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } } } } },
        parameters: [{ $ref: '#/components/parameters/Paging' }],
      },
      '/metrics': { get: { responses: {} } },
    },
    components: {
      schemas: {
        Error: schema('Error'),
        Page: schema('NotificationPage'),
        List: { items: { $ref: '#/components/schemas/Page' } },
      },
      parameters: { Paging: { name: 'page', in: 'query' } },
      securitySchemes: { bearerAuth: { type: 'http' } },
    },
  };
}

describe('mergeOpenApi', () => {
  const merged = mergeOpenApi({
    title: 'Platform API',
    version: '1.0.0',
    available: [
      { service: 'user-service', prefixes: ['/users', '/auth'], publicPrefix: '/api', document: users() },
      { service: 'notification-service', prefixes: ['/notifications'], publicPrefix: '/api', document: notifications() },
    ],
    missing: [],
  });

  it('exposes only the proxied paths, under their public path', () => {
    expect(Object.keys(merged.paths ?? {}).sort()).toEqual(['/api/auth/login', '/api/notifications', '/api/users', '/api/users/{id}']);
    expect(merged['servers']).toEqual([{ url: '/', description: 'this api-gateway' }]);
    expect(merged['x-missing-services']).toEqual([]);
  });

  it('merges components, renaming a clashing one and the refs of the service that owns it', () => {
    const schemas = merged.components?.['schemas'] ?? {};
    expect(Object.keys(schemas).sort()).toEqual(['Error', 'List', 'NotificationServicePage', 'Page']);
    expect(schemas['Page']).toEqual(schema('UserPage'));
    expect(schemas['NotificationServicePage']).toEqual(schema('NotificationPage'));
    expect(schemas['List']).toEqual({ items: { $ref: '#/components/schemas/NotificationServicePage' } });
    expect(JSON.stringify(merged.paths?.['/api/notifications'])).toContain('#/components/schemas/NotificationServicePage');
    expect(JSON.stringify(merged.paths?.['/api/users/{id}'])).toContain('"#/components/schemas/Page"');
    expect(merged.components?.['parameters']).toEqual({ Paging: { name: 'page', in: 'query' } });
    expect(merged.tags).toEqual([{ name: 'users' }, { name: 'notifications' }]);
  });

  it("copies a document's default security onto its own operations only", () => {
    const paths = merged.paths ?? {};
    expect(paths['/api/users']?.['get']).toMatchObject({ security: [{ bearerAuth: [] }] });
    expect(paths['/api/users']?.['post']).toMatchObject({ security: [] });
    expect(paths['/api/notifications']?.['get']).not.toHaveProperty('security');
    expect(paths['/api/notifications']?.['parameters']).toEqual([{ $ref: '#/components/parameters/Paging' }]);
    expect(merged).not.toHaveProperty('security');
  });

  it('says which services are missing instead of failing', () => {
    const partial = mergeOpenApi({
      title: 'Platform API',
      version: '1.0.0',
      available: [{ service: 'user-service', prefixes: ['/users'], publicPrefix: '/api', document: users() }],
      missing: [{ service: 'notification-service', reason: 'connect ECONNREFUSED' }],
    });
    expect(partial['x-missing-services']).toEqual(['notification-service']);
    expect(partial['x-services']).toEqual({
      'user-service': { status: 'available' },
      'notification-service': { status: 'missing' },
    });
    expect(JSON.stringify(partial)).not.toContain('ECONNREFUSED');
    expect((partial['info'] as { description: string }).description).toContain('Unavailable while this document was built');
    expect(Object.keys(partial.paths ?? {})).toEqual(['/api/users', '/api/users/{id}']);
  });
});
