module.exports = {
  displayName: 'prisma-schema-engine',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/tools/prisma-schema-engine',
};
