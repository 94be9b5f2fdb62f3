#!/usr/bin/env node
/**
 * Construct scaling, side by side in one run: `sesform synth` of one environment with 1,000 sets x 4
 * destinations and with 5,000 sets x 2 destinations (load, schema and SES rules, fleet model, cost,
 * constructs and their validation, synth), against the raw provider classes writing the same
 * resources without any checks (bench/raw-synth.js). Writes its section of bench/results.md.
 *
 *   npm run bench:scale      (or: node bench/scale.js [--runs N])
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { publish, targetsTable } = require('./results');

const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, 'out', 'scale');
const rssFile = path.join(out, 'rss');
const preload = ['--require', path.join(__dirname, 'peak-rss.js')];
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

/** One environment of `sets` configuration sets with `destinations` CloudWatch destinations each. */
function writeEnvironment(dir, sets, destinations) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const eventTypes = [['send', 'delivery'], ['bounce', 'complaint'], ['open', 'click'], ['reject']];
  const environment = {
    name: 'tenants',
    accountId: '123456789012',
    deployRole: { arn: 'arn:aws:iam::123456789012:role/ses-deploy' },
    regions: ['eu-west-1'],
    stateBackend: { bucket: 'scale-state', keyPrefix: 'ses', region: 'eu-west-1' },
    configurationSets: Array.from({ length: sets }, (_, index) => ({
      name: `tenant-${index}`,
      eventDestinations: Array.from({ length: destinations }, (_, number) => ({
        name: `events-${number}`,
        eventTypes: eventTypes[number % eventTypes.length],
        cloudWatch: {
          dimensions: [{ name: 'ses:configuration-set', source: 'messageTag', defaultValue: `tenant-${index}` }],
        },
      })),
    })),
  };
  const file = path.join(dir, 'tenants.json');
  fs.writeFileSync(file, JSON.stringify(environment));
  return file;
}

function measure(args) {
  fs.rmSync(rssFile, { force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync('node', [...preload, ...args], {
    cwd: root,
    env: { ...process.env, SESFORM_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return { ms, rss: Number(fs.readFileSync(rssFile, 'utf8')) };
}

/** The median wall time, with the largest peak memory of the runs. */
function medianOf(samples) {
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  return { ms: sorted[Math.floor(sorted.length / 2)].ms, rss: Math.max(...samples.map((sample) => sample.rss)) };
}

fs.mkdirSync(out, { recursive: true });
const rows = [];
for (const [sets, destinations] of [
  [1000, 4],
  [5000, 2],
]) {
  const dir = path.join(out, `${sets}x${destinations}`);
  const file = writeEnvironment(dir, sets, destinations);
  const rawArgs = ['bench/raw-synth.js', file, path.join(out, `raw-${sets}x${destinations}.out`)];
  const sesformArgs = [
    'bin/sesform.js',
    'synth',
    '--environments',
    dir,
    '--output',
    path.join(out, `sesform-${sets}x${destinations}.out`),
  ];
  measure(sesformArgs); // warm-up: tsx's compile cache, the file system cache
  // Interleaved, so that a slow moment of the machine hits both contenders alike.
  const samples = Array.from({ length: runs }, () => ({ raw: measure(rawArgs), sesform: measure(sesformArgs) }));
  const raw = medianOf(samples.map((sample) => sample.raw));
  const sesform = medianOf(samples.map((sample) => sample.sesform));
  rows.push({ sets, destinations, raw, sesform, ratio: sesform.ms / raw.ms });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const [thousand, fiveThousand] = rows;
const checks = [
  ['1,000 x 4: sesform within 1.5x of the raw classes', thousand.ratio <= 1.5, `${thousand.ratio.toFixed(2)}x`],
  ['5,000 x 2: sesform within 1.5x of the raw classes', fiveThousand.ratio <= 1.5, `${fiveThousand.ratio.toFixed(2)}x`],
  ['5,000 x 2 under 30 s', fiveThousand.sesform.ms < 30_000, seconds(fiveThousand.sesform.ms)],
];
const report = `## Construct scaling

Produced by \`npm run bench:scale\` (\`node bench/scale.js --runs ${runs}\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores,
${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}. One environment file, synthesized by \`sesform synth\` (load,
schema and SES rules, fleet model, cost, constructs and their validation, synth to disk) and by the raw provider
classes writing the same resources with no checks (\`bench/raw-synth.js\`), each in a fresh process: the median of
${runs} interleaved runs after one warm-up.

| environment | raw provider classes | sesform synth | ratio | sesform peak RSS |
|---|---|---|---|---|
${rows.map((row) => `| ${row.sets.toLocaleString('en-US')} sets x ${row.destinations} destinations | ${seconds(row.raw.ms)} | ${seconds(row.sesform.ms)} | ${row.ratio.toFixed(2)}x | ${mb(row.sesform.rss)} |`).join('\n')}

${targetsTable(checks)}
`;
publish('scale', report, checks);
