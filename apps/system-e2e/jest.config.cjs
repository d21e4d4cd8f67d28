module.exports = {
  displayName: 'system-e2e',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/system-e2e',
  // Whole-system stories start real processes: give them time, and run them one at a time.
  testTimeout: 120_000,
  maxWorkers: 1,
};
