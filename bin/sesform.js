#!/usr/bin/env node
'use strict';
// TypeScript sources and TypeScript environment files are compiled on load (esbuild, cached).
require('tsx/cjs');

// The AWS SDK warns on every start that later releases will need Node 22; the pinned stack is Node 20.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!warning.message.startsWith('NodeVersionSupportWarning'))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
const { main } = require('../src/cli.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`sesform: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
