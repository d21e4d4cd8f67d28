module.exports = {
  displayName: 'shared-kernel',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/shared-kernel',
};
