module.exports = {
  displayName: 'user-service',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/user-service',
  // Checks that Postgres, Redis and RabbitMQ answer; creates a migrated template database, a vhost and a
  // Redis key prefix for this run (handed to the tests in USER_SERVICE_TEST_* variables); drops them after.
  globalSetup: '<rootDir>/src/test/global-setup.ts',
  globalTeardown: '<rootDir>/src/test/global-teardown.ts',
  testTimeout: 20_000,
};
