module.exports = {
  displayName: 'chain',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
