import nx from '@nx/eslint-plugin';

// Packages that tie code to a framework or to I/O. Domain-level libraries and the domain and
// application layers of every app must stay free of them.
const frameworkPackages = [
  'express',
  'express-*',
  'http-proxy-middleware',
  '@prisma/*',
  'prisma',
  'pg',
  'amqplib',
  'ioredis',
  'bcrypt',
  'winston',
  'jose',
  'nodemailer',
  'prom-client',
  '@opentelemetry/*',
];

const sharedLibTypes = ['type:kernel', 'type:util', 'type:contracts', 'type:runtime'];

// Layers inside an app (see docs/architecture.md): dependencies point inward.
const layerRule = (forbiddenLayers, extraBannedPackages = [], paths = []) => [
  'error',
  {
    paths,
    patterns: [
      {
        regex: `(^|/)(${forbiddenLayers.join('|')})(/|$)`,
        message: `This layer may not import ${forbiddenLayers.join(', ')}: dependencies point inward.`,
      },
      ...(extraBannedPackages.length
        ? [
            {
              group: extraBannedPackages,
              message: 'Framework and I/O packages belong in infrastructure (or presentation), not here.',
            },
          ]
        : []),
    ],
  },
];

/** Nx tag rules. `testCode` additionally lets tests of any project import the testing lib. */
function moduleBoundaries({ testCode }) {
  const testing = testCode ? ['type:testing'] : [];
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
      depConstraints: [
        // Scope: apps share only the shared libraries, never each other's code.
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:user-service', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:notification-service', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:api-gateway', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:system', onlyDependOnLibsWithTags: ['scope:shared'] },
        // Type: the kernel depends on nothing; contracts on the kernel; runtime on all below it.
        { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: [...testing], bannedExternalImports: frameworkPackages },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: [...testing], bannedExternalImports: frameworkPackages },
        {
          sourceTag: 'type:contracts',
          onlyDependOnLibsWithTags: ['type:kernel', ...testing],
          bannedExternalImports: frameworkPackages,
        },
        { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: [...sharedLibTypes, ...testing] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: sharedLibTypes },
        { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: [...sharedLibTypes, 'type:testing'] },
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...sharedLibTypes, ...testing] },
        { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: [...sharedLibTypes, 'type:testing'] },
      ],
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/generated/**', '**/coverage', 'tmp/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ testCode: false }) },
  },
  {
    // Tests and benchmarks of any project may use the testing lib (throwaway databases, vhosts, SMTP server).
    files: ['**/*.spec.ts', '**/src/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ testCode: true }) },
  },
  {
    files: ['apps/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule(
        ['application', 'infrastructure', 'presentation'],
        [...frameworkPackages, 'zod', '@platform/service-runtime', '@platform/messaging'],
        // Of the contracts, the domain uses only the shared field rules (one spelling and one set of limits everywhere).
        [
          {
            name: '@platform/event-contracts',
            allowImportNames: ['canonicalEmail', 'EMAIL_MAX_LENGTH', 'EMAIL_PATTERN', 'USER_NAME_MAX_LENGTH', 'hasBidiControls'],
            message: 'The domain uses only the shared field rules of the contracts.',
          },
        ],
      ),
    },
  },
  {
    files: ['apps/*/src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule(
        ['infrastructure', 'presentation'],
        [...frameworkPackages, '@platform/service-runtime', '@platform/messaging'],
      ),
    },
  },
  {
    files: ['apps/*/src/presentation/**/*.ts'],
    rules: {
      'no-restricted-imports': layerRule(['infrastructure']),
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
