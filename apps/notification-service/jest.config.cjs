module.exports = {
  displayName: 'notification-service',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/notification-service',
};
