const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // The tests run the built `order` binary as a subprocess against one real
  // stack (Temporal, PostgreSQL, api, workers) started for the whole suite.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
