#!/usr/bin/env node
/**
 * How long `npm test` takes on this machine: the whole jest suite (unit and end to end), its slowest
 * files, and then the Node 22 and 24 runs (`npm run test:node-versions`). Run it on an otherwise idle
 * machine: the figures are measurements for bench/results.md, never assertions in a test. Writes its
 * section.
 *
 *   npm run bench:tests
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { publish, targetsTable } = require('./results');

const root = path.resolve(__dirname, '..');
const json = path.join(__dirname, 'out', 'jest-results.json');
fs.mkdirSync(path.dirname(json), { recursive: true });

const load = os.loadavg()[0];
const started = process.hrtime.bigint();
const child = spawn('bash', ['scripts/with-toolchain.sh', 'npx', 'jest', '--json', `--outputFile=${json}`], {
  cwd: root,
  env: { ...process.env, CI: 'true' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
child.once('close', (code) => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const versionsStarted = process.hrtime.bigint();
  const versions = spawn('npm', ['run', 'test:node-versions'], {
    cwd: root,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  versions.once('close', (versionsCode) =>
    report(code, seconds, versionsCode, Number(process.hrtime.bigint() - versionsStarted) / 1e9),
  );
});

function report(code, seconds, versionsCode, versionsSeconds) {
  const results = JSON.parse(fs.readFileSync(json, 'utf8'));
  const files = results.testResults
    .map((file) => ({
      file: path.relative(root, file.name),
      seconds: (file.endTime - file.startTime) / 1000,
      tests: file.assertionResults.length,
    }))
    .sort((a, b) => b.seconds - a.seconds);
  const minutes = seconds / 60;
  const allMinutes = (seconds + versionsSeconds) / 60;
  const checks = [
    ['the suite passes', code === 0, `${results.numPassedTests} of ${results.numTotalTests} tests`],
    ['`npm test` (jest part) under 10 minutes, idle machine', minutes < 10, `${minutes.toFixed(1)} min`],
    [
      '`npm test` all of it (Node 22 and 24 included) under 15 minutes',
      allMinutes < 15 && versionsCode === 0,
      `${allMinutes.toFixed(1)} min (Node 22 and 24: ${(versionsSeconds / 60).toFixed(1)} min${versionsCode === 0 ? '' : ', FAILED'})`,
    ],
  ];
  const report = `## The test suite

Produced by \`npm run bench:tests\` (\`node bench/test-suite.js\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores,
${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load average ${load.toFixed(2)} when it started. The whole jest run
(both projects, as \`npm test\` runs them, two files at a time): ${minutes.toFixed(1)} minutes, ${results.numTotalTestSuites} files,
${results.numTotalTests} tests; then the Node 22 and 24 runs (unit tests and \`npm start\` on each): ${(versionsSeconds / 60).toFixed(1)} minutes.
Every file that took a second or more (its own wall time, while another file runs beside it):

| file | tests | wall time |
|---|---|---|
${files
  .filter((file) => file.seconds >= 1)
  .map((file) => `| ${file.file} | ${file.tests} | ${file.seconds.toFixed(0)} s |`)
  .join('\n')}

${targetsTable(checks)}
`;
  publish('test-suite', report, checks);
}
