const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // The CI-sized run starts whole stacks (one per retry mode): one file at a time.
  maxWorkers: 1,
};
