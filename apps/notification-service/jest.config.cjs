module.exports = {
  displayName: 'notification-service',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/notification-service',
  // A throwaway database (migrated with `prisma migrate deploy`) and vhost for the whole run.
  globalSetup: '<rootDir>/src/test/global-setup.ts',
  globalTeardown: '<rootDir>/src/test/global-teardown.ts',
  testTimeout: 30_000,
};
