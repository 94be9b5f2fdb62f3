#!/usr/bin/env node
/**
 * How long the whole jest suite (unit and end to end, as `npm test` runs it before the Node-version
 * runs) takes on this machine, and the slowest files. Run it on an otherwise idle machine: the figure
 * is a measurement for bench/results.md, never an assertion in a test. Writes its section.
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
  const results = JSON.parse(fs.readFileSync(json, 'utf8'));
  const files = results.testResults
    .map((file) => ({
      file: path.relative(root, file.name),
      seconds: (file.endTime - file.startTime) / 1000,
      tests: file.assertionResults.length,
    }))
    .sort((a, b) => b.seconds - a.seconds);
  const minutes = seconds / 60;
  const checks = [
    ['the suite passes', code === 0, `${results.numPassedTests} of ${results.numTotalTests} tests`],
    ['`npm test` (jest part) under 10 minutes, idle machine', minutes < 10, `${minutes.toFixed(1)} min`],
  ];
  const report = `## The test suite

Produced by \`npm run bench:tests\` (\`node bench/test-suite.js\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores,
${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, load average ${load.toFixed(2)} when it started. The whole jest run
(both projects, as \`npm test\` runs them; the Node 22 and 24 runs come after it and are not included):
${minutes.toFixed(1)} minutes, ${results.numTotalTestSuites} files, ${results.numTotalTests} tests. The slowest files (their own wall time; the
unit and end-to-end projects run side by side):

| file | tests | wall time |
|---|---|---|
${files
  .slice(0, 12)
  .map((file) => `| ${file.file} | ${file.tests} | ${file.seconds.toFixed(0)} s |`)
  .join('\n')}

${targetsTable(checks)}
`;
  publish('test-suite', report, checks);
});
