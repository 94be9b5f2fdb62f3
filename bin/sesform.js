#!/usr/bin/env node
'use strict';
// TypeScript sources and TypeScript environment files are compiled on load (esbuild, cached).
require('tsx/cjs');

require('./quiet-sdk-warning');
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
