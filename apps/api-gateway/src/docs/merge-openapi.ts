/** An OpenAPI document, read loosely: the gateway only moves parts around. */
export type OpenApiDocument = Record<string, unknown> & {
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  tags?: Array<{ name: string }>;
  security?: unknown[];
};

export interface ServiceDocument {
  service: string;
  /** The service paths the gateway exposes (`/users`, `/auth`); others (health, metrics) are left out. */
  prefixes: readonly string[];
  /** Prepended to every exposed path (`/api`). */
  publicPrefix: string;
  document: OpenApiDocument;
}

export interface MergeInput {
  title: string;
  version: string;
  available: ServiceDocument[];
  /** Services whose document could not be fetched. Only their names reach the (public) document, never the reason. */
  missing: Array<{ service: string; reason?: string }>;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * One document for the whole public API: each service's exposed paths under their public path, components
 * merged (a name two services use for different things is prefixed with the service's name, and that
 * service's `$ref`s follow), servers = the gateway. Missing services are named in `x-missing-services`
 * and in the description, so a partial document says so instead of failing; why they are missing is logged,
 * not published.
 */
export function mergeOpenApi(input: MergeInput): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, { name: string }>();

  for (const source of input.available) {
    const document = renameConflictingComponents(source, components);
    for (const [section, entries] of Object.entries(document.components ?? {})) {
      components[section] = { ...components[section], ...entries };
    }
    for (const tag of document.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (!source.prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) continue;
      paths[`${source.publicPrefix}${path}`] = withDocumentSecurity(item, document.security);
    }
  }

  const serviceNames = [...input.available.map((source) => source.service), ...input.missing.map((entry) => entry.service)];
  const missingNote =
    input.missing.length > 0
      ? ` Unavailable while this document was built (their operations are missing): ${input.missing.map((entry) => entry.service).join(', ')}.`
      : '';
  return {
    openapi: firstOpenApiVersion(input.available),
    info: {
      title: input.title,
      version: input.version,
      description: `The public API of ${serviceNames.join(' and ')}, served through the api-gateway.${missingNote}`,
    },
    servers: [{ url: '/', description: 'this api-gateway' }],
    ...(tags.size > 0 ? { tags: [...tags.values()] } : {}),
    paths,
    components,
    'x-services': Object.fromEntries([
      ...input.available.map((source) => [source.service, { status: 'available' }]),
      // No reason here: it would name internal addresses (`connect ECONNREFUSED 10.0.3.7:3002`); it is logged.
      ...input.missing.map((entry) => [entry.service, { status: 'missing' }]),
    ]),
    'x-missing-services': input.missing.map((entry) => entry.service),
  };
}

function firstOpenApiVersion(sources: ServiceDocument[]): string {
  const version = sources.map((source) => source.document['openapi']).find((value) => typeof value === 'string');
  return typeof version === 'string' ? version : '3.1.0';
}

/** A document-level `security` applies to that service's operations only: copy it onto them. */
function withDocumentSecurity(item: Record<string, unknown>, security: unknown[] | undefined): Record<string, unknown> {
  if (!security) return item;
  const copy: Record<string, unknown> = { ...item };
  for (const [key, operation] of Object.entries(item)) {
    if (HTTP_METHODS.has(key) && typeof operation === 'object' && operation !== null && !('security' in operation)) {
      copy[key] = { ...operation, security };
    }
  }
  return copy;
}

/** Renames this source's components that clash with different ones already merged, rewriting its `$ref`s. */
function renameConflictingComponents(source: ServiceDocument, merged: Record<string, Record<string, unknown>>): OpenApiDocument {
  const renames = new Map<string, string>();
  const prefix = source.service.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_match, _sep: string, char: string) => char.toUpperCase());
  for (const [section, entries] of Object.entries(source.document.components ?? {})) {
    for (const [name, value] of Object.entries(entries)) {
      const existing = merged[section]?.[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(value)) {
        renames.set(`#/components/${section}/${name}`, `#/components/${section}/${prefix}${name}`);
      }
    }
  }
  if (renames.size === 0) return source.document;
  const document = rewriteRefs(source.document, renames) as OpenApiDocument;
  const components: Record<string, Record<string, unknown>> = {};
  for (const [section, entries] of Object.entries(document.components ?? {})) {
    components[section] = Object.fromEntries(
      Object.entries(entries).map(([name, value]) => [renames.has(`#/components/${section}/${name}`) ? `${prefix}${name}` : name, value]),
    );
  }
  return { ...document, components };
}

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' ? (renames.get(inner) ?? inner) : rewriteRefs(inner, renames),
    ]),
  );
}
