module.exports = {
  displayName: 'clients',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
