const fs = require('node:fs');
const path = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

const { paths } = JSON.parse(fs.readFileSync(path.join(__dirname, 'tsconfig.base.json'), 'utf8')).compilerOptions;

// @swc/jest strips types without checking them (about a third faster than ts-jest here); every project
// has a `typecheck` target that runs tsc instead. swc also rewrites the `@platform/*` path aliases, so
// code that Jest loads outside its module resolver (globalSetup/globalTeardown) finds the libs too.
const swcTransform = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022', baseUrl: __dirname, paths },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: { '^.+\\.[cm]?[tj]s$': swcTransform },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  coverageReporters: ['text-summary', 'html'],
  reporters: ['default', path.join(__dirname, 'tools/jest/results-reporter.cjs')],
};
