module.exports = {
  displayName: 'e2e',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
  // Each suite starts the whole stack (a Hardhat node and eight services) as `npm start` does.
  testTimeout: 240_000,
};
