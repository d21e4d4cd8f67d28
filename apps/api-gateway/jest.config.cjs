module.exports = {
  displayName: 'api-gateway',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/api-gateway',
  // Checks Redis and picks this run's Redis key prefix; the suites start their own real processes.
  globalSetup: '<rootDir>/src/test/global-setup.ts',
  globalTeardown: '<rootDir>/src/test/global-teardown.ts',
  testTimeout: 30_000,
};
