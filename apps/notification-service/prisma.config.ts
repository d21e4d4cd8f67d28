import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma's native schema engine cannot be downloaded here: the CLI runs the workspace's wasm stand-in
// instead (tools/prisma-schema-engine/README.md). `??=` leaves an operator's own binary in charge.
process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ??= path.resolve(__dirname, '../../tools/prisma-schema-engine/schema-engine.cjs');

// The same default as the service's config, so `nx run notification-service:migrate` works with no .env.
process.env['DATABASE_URL'] ||= 'postgresql://postgres@127.0.0.1:5432/notifications';

export default defineConfig({
  // Relative to this file.
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] },
});
