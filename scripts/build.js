#!/usr/bin/env node
'use strict';
// `npm ci` runs this (the `prepare` script): src/ and modules/ compiled to dist/ with their type
// declarations, plus the emulator's Python files, so that sesform runs as JavaScript and loads
// TypeScript (tsx) only for TypeScript environment files. An install without devDependencies has no
// compiler: sesform then runs from the TypeScript sources through tsx, as bin/sesform.js explains.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  process.stdout.write(
    'sesform build: no TypeScript compiler (an install without devDependencies); sesform runs from its sources.\n',
  );
  process.exit(0);
}

const started = Date.now();
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// The emulator publishes by the same rule table as the cost model: its data file is generated from
// modules/publishing-rules.ts (a unit test fails when the committed copy differs).
const emulator = path.join(root, 'src', 'emulator');
const { publishingRulesData } = require(path.join(dist, 'modules', 'publishing-rules.js'));
fs.writeFileSync(path.join(emulator, 'publishing_rules.json'), `${JSON.stringify(publishingRulesData(), null, 2)}\n`);
// What the compiled code reads beside itself.
for (const file of fs.readdirSync(emulator).filter((name) => name.endsWith('.py') || name.endsWith('.json')))
  fs.copyFileSync(path.join(emulator, file), path.join(dist, 'src', 'emulator', file));
// Written last: the sources this build was made from are older than this stamp.
fs.writeFileSync(path.join(dist, 'BUILD'), `${new Date().toISOString()}\n`);
// Said as what was done: this script always compiles (bin/sesform.js decides when a build is stale).
process.stdout.write(
  `sesform build: compiled src/ and modules/ into ${path.relative(root, dist)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
);
