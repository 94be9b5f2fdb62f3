#!/usr/bin/env node
'use strict';
/**
 * What starting sesform costs by each documented way of calling it, side by side in one run (the
 * median of 7 alternating runs of `sesform --help`, which loads the CLI and exits): where an `npx
 * sesform` call's extra time goes (npm's own start and its look-up of the bin), and the fastest way
 * to call sesform repeatedly. Writes its section of bench/results.md.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { publish, targetsTable } = require('./results');

const root = path.resolve(__dirname, '..');
const RUNS = 7;
const WAYS = [
  ['`node bin/sesform.js` (or `bin/` on the PATH: `sesform`)', process.execPath, ['bin/sesform.js', '--help']],
  ['`npx sesform`', 'npx', ['sesform', '--help']],
  ['`npm exec -- sesform`', 'npm', ['exec', '--', 'sesform', '--help']],
  ["npm's own start (`npm --version`)", 'npm', ['--version']],
];

function seconds(command, args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: root, stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// One warm-up each (npm's cache, the file system), then the runs alternate so that load falls on all.
for (const [, command, args] of WAYS) seconds(command, args);
const times = WAYS.map(() => []);
for (let run = 0; run < RUNS; run++)
  WAYS.forEach(([, command, args], index) => times[index].push(seconds(command, args)));
const medians = times.map(median);
const [direct, npx, , npm] = medians;
const rows = WAYS.map(
  ([label], index) => `| ${label} | ${medians[index].toFixed(2)} s | ${(medians[index] / direct).toFixed(1)}x |`,
);
const report = `## Starting sesform

\`sesform --help\` by each documented way of calling it, the median of ${RUNS} alternating runs on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}):

| how | median | vs node bin/sesform.js |
|---|---|---|
${rows.join('\n')}

An \`npx sesform\` call costs ${(npx - direct).toFixed(2)} s more than sesform's own start (${direct.toFixed(2)} s): npm's
own start (${npm.toFixed(2)} s), and the rest (${(npx - direct - npm).toFixed(2)} s) its reading of the installed tree to find
the project's bin. For many calls in a row (a tour, a script), put \`bin/\` on
the PATH once (\`export PATH="$PWD/bin:$PATH"\`) and call \`sesform\`: README, Quick start.

`;
const checks = [
  ['the documented fast way starts at least 2x faster than npx', npx / direct >= 2, `${(npx / direct).toFixed(1)}x`],
];
publish('cli-start', `${report}${targetsTable(checks)}`, checks);
