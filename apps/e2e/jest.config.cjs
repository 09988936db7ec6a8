const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // One stack (Temporal, PostgreSQL, api, workers) for the whole suite.
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
