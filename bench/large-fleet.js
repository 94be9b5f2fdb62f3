#!/usr/bin/env node
/**
 * A fleet of 1,500 stacks: 500 generated environments (one account each, 3 configuration sets of
 * 2 destinations) in 3 regions. `sesform validate`, `cost` and `synth` of all of it, each a fresh
 * process (wall time and peak RSS), and `sesform plan --all --shard 1/50` (the 30 stacks one job of
 * a 50-job pipeline plans) on the embedded emulator with real Terraform. Writes its section of
 * bench/results.md.
 *
 *   npm run bench:fleet   (the plan needs terraform and python3 with moto, like the end-to-end tests)
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generateFleet } = require('./fleet');
const { publish, targetsTable } = require('./results');
const { timed } = require('./timed');

const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, 'out', 'large-fleet');
const environments = path.join(out, 'environments');
const ENVIRONMENTS = 500;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const SHARDS = 50;
const rssFile = path.join(out, 'rss');

/** Runs `node bin/sesform.js ARGS` with peak-RSS reporting; resolves to seconds, RSS and output. */
async function sesform(label, args, okCodes = [0]) {
  fs.rmSync(rssFile, { force: true });
  const env = { ...process.env, CI: 'true', SESFORM_BENCH_RSS_FILE: rssFile };
  const preload = ['--require', path.join(__dirname, 'peak-rss.js')];
  const run = await timed(label, 'node', [...preload, 'bin/sesform.js', ...args], env, okCodes);
  const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : undefined;
  return { ...run, label, rss, command: `sesform ${args.join(' ').replaceAll(root + '/', '')}` };
}

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  generateFleet(environments, ENVIRONMENTS, {
    sets: ['transactional', 'marketing', 'alerts'],
    accountBase: 300000000000,
    bucket: 'fleet-state-{accountId}-{region}',
    regions: REGIONS,
  });
  const files = ['--environments', environments];
  const validate = await sesform('validate', ['validate', ...files]);
  const cost = await sesform('cost', ['cost', ...files]);
  const synth = await sesform('synth', ['synth', ...files, '--output', path.join(out, 'cdktf.out')]);
  const stacks = fs.readdirSync(path.join(out, 'cdktf.out', 'stacks')).length;
  // One job of a 50-job pipeline: its shard planned from fresh folders (init included), on the emulator.
  const plan = await sesform(
    `plan --shard 1/${SHARDS}`,
    [
      'plan',
      '--all',
      '--local',
      '--shard',
      `1/${SHARDS}`,
      ...files,
      '--output',
      path.join(out, 'plan.out'),
      '--plans',
      path.join(out, 'plans'),
      '--json',
    ],
    [2],
  );
  const planned = JSON.parse(plan.stdout).stacks.length;
  const perStack = plan.seconds / planned;

  const mb = (bytes) => (bytes === undefined ? 'n/a' : `${Math.round(bytes / 1024 / 1024).toLocaleString('en-US')} MB`);
  const rows = [validate, cost, synth, plan];
  const checks = [
    ...[validate, cost, synth].flatMap((run) => [
      [
        `${run.label} of ${stacks.toLocaleString('en-US')} stacks under 20 s`,
        run.seconds < 20,
        `${run.seconds.toFixed(1)} s`,
      ],
      [`${run.label} under 1.5 GB`, run.rss < 1.5 * 1024 ** 3, mb(run.rss)],
    ]),
    [
      `plan --shard 1/${SHARDS} measured (${planned} stacks)`,
      planned === stacks / SHARDS,
      `${plan.seconds.toFixed(1)} s`,
    ],
  ];
  const report = `## A fleet of 1,500 stacks

Produced by \`npm run bench:fleet\` (\`node bench/large-fleet.js\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores,
${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}. ${ENVIRONMENTS} generated environments (one account each, 3 configuration
sets x 2 CloudWatch destinations) in ${REGIONS.length} regions: ${stacks.toLocaleString('en-US')} stacks. Each command is one fresh process; memory is
its peak RSS. The plan runs one shard of ${SHARDS} (as one job of a ${SHARDS}-job pipeline) on the embedded emulator with real
Terraform, from fresh stack folders (init included), ${os.cpus().length} stacks at once; its RSS is sesform's own process (Terraform and the
provider run in their own).

| run | wall time | peak RSS | command |
|---|---|---|---|
${rows.map((run) => `| ${run.label} | ${run.seconds.toFixed(1)} s | ${mb(run.rss)} | \`${run.command}\` |`).join('\n')}

Per planned stack: ${perStack.toFixed(2)} s of wall time on this machine.

${targetsTable(checks)}
`;
  publish('large-fleet', report, checks);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
