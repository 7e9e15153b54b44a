module.exports = {
  displayName: 'price-oracle',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
