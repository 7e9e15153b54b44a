module.exports = {
  displayName: 'logger',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
