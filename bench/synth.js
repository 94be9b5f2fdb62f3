#!/usr/bin/env node
/**
 * Synth benchmark, side by side in one run: `sesform synth` against stock `cdktf synth` on the
 * sample environments, and `sesform synth` on 100 generated environments. Writes its section of
 * bench/results.md.
 *
 *   npm run bench:synth      (or: node bench/synth.js [--runs N])
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generateFleet } = require('./fleet');
const { publish, targetsTable } = require('./results');

const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, 'out');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const rssFile = path.join(out, 'rss');
const env = { ...process.env, CI: 'true', CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: 'true' };

/** Wall time (ms) and, for a node process, its peak RSS (bytes). */
function measure(command, args) {
  fs.rmSync(rssFile, { force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...env, SESFORM_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : undefined;
  return { ms, rss };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function series(label, command, args) {
  measure(command, args); // warm-up: tsx's compile cache, file system cache
  const samples = Array.from({ length: runs }, () => measure(command, args));
  const rss = samples.map((sample) => sample.rss).filter((value) => value !== undefined);
  return {
    label,
    ms: median(samples.map((s) => s.ms)),
    rss: rss.length ? Math.max(...rss) : undefined,
    command: [command, ...args].join(' '),
  };
}

fs.mkdirSync(out, { recursive: true });
const preload = ['--require', path.join(__dirname, 'peak-rss.js')];
const sesform = series('sesform synth (samples, 4 stacks)', 'node', [
  ...preload,
  'bin/sesform.js',
  'synth',
  '--output',
  'bench/out/sesform.out',
]);
const cdktf = series('npx cdktf synth (samples, 4 stacks)', 'npx', [
  'cdktf',
  'synth',
  '--output',
  'bench/out/cdktf.out',
]);
generateFleet(path.join(out, 'fleet'), 100, {
  sets: ['transactional', 'marketing', 'alerts'],
  accountBase: 100000000000,
  bucket: 'fleet-state-{accountId}',
});
const fleet = series('sesform synth (100 environments, 3 sets x 2 destinations)', 'node', [
  ...preload,
  'bin/sesform.js',
  'synth',
  '--environments',
  'bench/out/fleet',
  '--output',
  'bench/out/fleet.out',
]);

const mb = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const speedup = cdktf.ms / sesform.ms;
const checks = [
  ['sesform synth of the samples under 0.4 s', sesform.ms < 400, `${(sesform.ms / 1000).toFixed(2)} s`],
  ['at least 10x faster than cdktf synth', speedup >= 10, `${speedup.toFixed(1)}x`],
  ['sesform synth peak memory under 200 MB', sesform.rss < 200 * 1024 * 1024, mb(sesform.rss)],
  ['100 environments under 3 s', fleet.ms < 3000, `${(fleet.ms / 1000).toFixed(2)} s`],
  ['100 environments under 300 MB', fleet.rss < 300 * 1024 * 1024, mb(fleet.rss)],
];
const report = `## Synth

Produced by \`npm run bench:synth\` (\`node bench/synth.js --runs ${runs}\`) on ${new Date().toISOString().slice(0, 10)}:
${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}. Each figure is the median wall time of
${runs} runs after one warm-up; memory is the measured process's peak RSS (the cdktf CLI spawns the app in
child processes, so only its wall time is compared).

| run | median wall | peak RSS | command |
|---|---|---|---|
${[sesform, cdktf, fleet].map((s) => `| ${s.label} | ${(s.ms / 1000).toFixed(2)} s | ${mb(s.rss)} | \`${s.command.replace(/--require \S+ /, '')}\` |`).join('\n')}

${targetsTable(checks)}
`;
publish('synth', report, checks);
