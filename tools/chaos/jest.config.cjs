const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  // Each file starts whole stacks: one file at a time.
  maxWorkers: 1,
};
