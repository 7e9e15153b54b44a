module.exports = {
  displayName: 'provider-kit',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
