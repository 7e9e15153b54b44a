module.exports = {
  displayName: 'log-archive',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
