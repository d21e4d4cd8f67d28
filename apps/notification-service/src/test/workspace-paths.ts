/**
 * Jest runs globalSetup/globalTeardown with Node's own `require`, which knows nothing of the tsconfig path
 * aliases (`@platform/*`) that the test workers resolve through Nx's resolver. This maps them the same
 * way (from tsconfig.base.json); Jest's transform then compiles the TypeScript it finds there.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const { compilerOptions } = JSON.parse(readFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const aliases = new Map(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(workspaceRoot, target)]),
);

type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleWithResolver = Module as unknown as { _resolveFilename: Resolve };
const original = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function resolveWorkspaceAlias(request: string, ...rest: unknown[]): string {
  return original.call(this, aliases.get(request) ?? request, ...rest);
};
