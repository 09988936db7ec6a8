const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // Builds the images (scripts/images/build.sh), then starts a Temporal dev
  // server and a PostgreSQL database on this machine for the containers.
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120_000,
};
