module.exports = {
  displayName: 'event-contracts',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/event-contracts',
};
