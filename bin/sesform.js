#!/usr/bin/env node
'use strict';
// TypeScript sources and TypeScript environment files are compiled on load (esbuild, cached).
require('tsx/cjs');

require('./quiet-sdk-warning');

// A promise an environment file (TypeScript) rejects without handling ends the run with its message,
// not a stack trace; nothing is synthesized, planned or applied after it.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `sesform: an error nothing handled (a TypeScript environment file's promise?): ${reason instanceof Error ? reason.message : String(reason)}\n`,
  );
  process.exit(1);
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
