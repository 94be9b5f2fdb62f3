#!/usr/bin/env node
'use strict';
// sesform runs from its build (dist/, compiled by `npm ci`'s prepare script). Without a build, or with
// sources edited since it was made, it runs from the TypeScript sources through tsx instead (slower to
// start; `npm run build` brings the build up to date).
const path = require('node:path');
const { builtCli } = require('./built-cli');

require('./quiet-sdk-warning');

const root = path.resolve(__dirname, '..');

// A promise an environment file (TypeScript) rejects without handling ends the run with its message,
// not a stack trace; nothing is synthesized, planned or applied after it.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `sesform: an error nothing handled (a TypeScript environment file's promise?): ${reason instanceof Error ? reason.message : String(reason)}\n`,
  );
  process.exit(1);
});

let cli = builtCli(root);
if (cli === undefined) {
  // TypeScript sources and TypeScript environment files are compiled on load (esbuild, cached).
  require('tsx/cjs');
  cli = path.join(root, 'src', 'cli.ts');
}
const { main } = require(cli);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`sesform: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
