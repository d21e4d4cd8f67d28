const path = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

// @swc/jest strips types without checking them (about a third faster than ts-jest here);
// every project has a `typecheck` target that runs tsc instead.
const swcTransform = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
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
