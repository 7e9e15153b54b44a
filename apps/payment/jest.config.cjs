module.exports = {
  displayName: 'payment',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
