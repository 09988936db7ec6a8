#!/usr/bin/env node
// The `order` command as npm links it (node_modules/.bin/order). It loads the
// built CLI; when the build is missing it says how to make it, instead of a
// stack trace. A committed launcher keeps its executable bit however dist/ is
// (re)built, which a bin pointing into dist/ would not.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('error: the order CLI is not built yet; run "npm run build" (or ./scripts/quick-start.sh) at the repository root\n');
  process.exit(1);
}
require(entry);
