const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // One file at a time: the tool installs (hadolint, kubectl) share one venv.
  maxWorkers: 1,
  testTimeout: 120_000,
};
