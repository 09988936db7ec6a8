const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // Temporal dev server and PostgreSQL for images.spec.ts.
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  // One file at a time: the images spec runs three apps, and the tool installs share one venv.
  maxWorkers: 1,
  testTimeout: 120_000,
};
