import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const apps = ['api-gateway', 'user-service', 'notification-service'];

interface ProjectJson {
  targets: Record<string, { options?: Record<string, unknown>; configurations?: Record<string, Record<string, unknown>> }>;
}

describe.each(apps)('%s: nx serve', (app) => {
  const project = JSON.parse(readFileSync(path.join(root, 'apps', app, 'project.json'), 'utf8')) as ProjectJson;
  const serve = project.targets['serve'];
  const buildConfiguration = String(serve.configurations?.['development']?.['buildTarget'] ?? serve.options?.['buildTarget']).split(':')[2];
  const build = project.targets['build'];
  const effective = { ...build.options, ...(buildConfiguration ? build.configurations?.[buildConfiguration] : {}) };

  it('builds without generatePackageJson in watch mode, which needs the Nx daemon (off in npm start and CI)', () => {
    // With it, each app's watcher starts its own daemon at once; they race and `npm start` crashed.
    expect(buildConfiguration).toBe('development');
    expect(effective['generatePackageJson']).toBe(false);
  });

  it('still emits package.json and the lockfile for the production image', () => {
    expect({ ...build.options, ...build.configurations?.['production'] }['generatePackageJson']).toBe(true);
  });
});
