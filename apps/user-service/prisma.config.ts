import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma's native schema engine cannot be downloaded on our machines: run the wasm stand-in instead (see
// tools/prisma-schema-engine/README.md). `??=` leaves an operator's own PRISMA_SCHEMA_ENGINE_BINARY in charge.
process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ??= path.resolve(__dirname, '../../tools/prisma-schema-engine/schema-engine.cjs');

export default defineConfig({
  // Relative paths are resolved from this file's folder, whatever the working directory.
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only migrate/db commands need the URL; `prisma generate` runs without it. Same default as the service.
  datasource: { url: process.env['DATABASE_URL'] || 'postgresql://postgres@127.0.0.1:5432/users' },
});
