module.exports = {
  displayName: 'image-gen',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
