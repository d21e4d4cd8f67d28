/**
 * Jest runs globalSetup/globalTeardown with Node's own `require`, which knows nothing of the tsconfig path
 * aliases (`@platform/*`) that test workers resolve through Nx's resolver. This maps them the same way
 * (from tsconfig.base.json); Jest's transform then compiles the TypeScript it finds there.
 * (notification-service's tests carry the same shim; a shared jest setup could own it.)
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const aliases = new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]));

type Resolve = (request: string, ...rest: unknown[]) => string;
const resolver = Module as unknown as { _resolveFilename: Resolve };
const original = resolver._resolveFilename;
resolver._resolveFilename = function resolveWorkspaceAlias(request: string, ...rest: unknown[]): string {
  return original.call(this, aliases.get(request) ?? request, ...rest);
};
