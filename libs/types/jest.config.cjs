module.exports = {
  displayName: 'types',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
