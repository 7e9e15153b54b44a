module.exports = {
  displayName: 'batch-compute',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
