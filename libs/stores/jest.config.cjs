module.exports = {
  displayName: 'stores',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
