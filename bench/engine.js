#!/usr/bin/env node
/**
 * Engine benchmark against the embedded emulator with 10 environment stacks, side by side in one run:
 *   - `sesform plan --all` (in-process synth, init and plan of every stack in parallel) against the
 *     stock `npx cdktf plan <stack> --skip-provider-lock` run for each stack in turn;
 *   - a no-change `sesform drift --all` once everything is applied.
 * Both plans start from fresh output folders (init included), with the same Terraform environment.
 * Writes its section of bench/results.md.
 *
 *   npm run bench:engine   (needs terraform and python3 with moto, like the end-to-end tests)
 */
'use strict';
require('tsx/cjs');
require('../bin/quiet-sdk-warning');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generateFleet } = require('./fleet');
const { publish, targetsTable } = require('./results');
const { timed } = require('./timed');
const { startEmulator } = require('../src/emulator/emulator.ts');
const { createLocalStateBuckets } = require('../src/local/state-buckets.ts');
const { localTarget, terraformEnvironmentFor } = require('../src/local/local-target.ts');
const { localProviderVersion } = require('../src/terraform/terraform.ts');
const { loadEnvironments } = require('../src/fleet/loader.ts');

const out = path.join(__dirname, 'out', 'engine');
const fleet = path.join(out, 'environments');
const STACKS = 10;

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  generateFleet(fleet, STACKS, {
    sets: ['transactional', 'marketing'],
    accountBase: 200000000000,
    bucket: 'bench-state-{accountId}',
  });
  const emulator = await startEmulator();
  try {
    const target = localTarget(emulator.endpoint, localProviderVersion());
    const environments = loadEnvironments(fleet).environments;
    await createLocalStateBuckets(
      target,
      environments.map(({ environment }) => environment),
    );
    // The same Terraform set-up for both: CLI config for the mirror, GOGC.
    const env = {
      ...terraformEnvironmentFor(true),
      CI: 'true',
      DISABLE_VERSION_CHECK: 'true',
      SESFORM_ENVIRONMENTS: fleet,
      SESFORM_LOCAL_ENDPOINT: emulator.endpoint,
    };
    const sesform = (command, extra = []) => [
      'bin/sesform.js',
      command,
      '--all',
      '--local',
      '--endpoint',
      emulator.endpoint,
      // drift reads no saved plans: it takes no --plans.
      ...(command === 'drift' ? [] : ['--plans', path.join(out, 'plans')]),
      ...extra,
    ];
    // Warm-up: the file system cache (provider binary, node modules) for both contenders.
    await timed('warm-up', 'node', [...sesform('plan', ['--output', path.join(out, 'warmup.out')])], env, [2]);

    const stacks = environments.map(({ environment }) => `${environment.name}-eu-west-1`);
    let stock = 0;
    for (const stack of stacks)
      stock += (
        await timed(
          `npx cdktf plan ${stack}`,
          'npx',
          ['cdktf', 'plan', stack, '--skip-provider-lock', '--output', path.join(out, 'cdktf.out')],
          env,
        )
      ).seconds;

    // The same plan without the provider pool and the init seeding's first-use (one provider process per
    // stack's plan and show, as before the pool): what the pool is worth, side by side.
    const unpooled = await timed(
      'sesform plan --all (SESFORM_SHARED_PROVIDER=0)',
      'node',
      sesform('plan', ['--output', path.join(out, 'unpooled.out')]),
      { ...env, SESFORM_SHARED_PROVIDER: '0' },
      [2],
    );
    const plan = await timed(
      'sesform plan --all',
      'node',
      sesform('plan', ['--output', path.join(out, 'sesform.out')]),
      env,
      [2],
    );
    const replan = await timed(
      'sesform plan --all (initialized)',
      'node',
      sesform('plan', ['--output', path.join(out, 'sesform.out')]),
      env,
      [2],
    );
    await timed('sesform apply --all', 'node', sesform('apply', ['--output', path.join(out, 'sesform.out')]), env);
    const drift = await timed(
      'sesform drift --all',
      'node',
      sesform('drift', ['--output', path.join(out, 'sesform.out'), '--json']),
      env,
    );
    const driftReport = JSON.parse(drift.stdout);
    const inSync = driftReport.stacks.every((stack) => stack.outcome === 'in-sync');

    const ratio = plan.seconds / stock;
    const checks = [
      [
        '`sesform plan --all`, fresh stacks, at most 0.25 of the stock plans in turn',
        ratio <= 0.25,
        `${ratio.toFixed(2)}`,
      ],
      ['`sesform plan --all`, initialized stacks, at most 8 s', replan.seconds <= 8, `${replan.seconds.toFixed(1)} s`],
      [
        'no-change `sesform drift --all` at most 10 s',
        drift.seconds <= 10 && inSync,
        `${drift.seconds.toFixed(1)} s, ${inSync ? 'all in sync' : 'DRIFT FOUND'}`,
      ],
    ];
    const report = `## Plan/apply engine

Produced by \`npm run bench:engine\` (\`node bench/engine.js\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores,
${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}; real \`terraform\` and AWS provider ${target.providerVersion}
against the embedded emulator, ${STACKS} environment stacks (2 sets x 2 destinations each, waves 0-2). Both
contenders start from a fresh output folder (so each stack's \`terraform init\` is included) and get the
same Terraform environment (the mirror's CLI config, \`GOGC=${env.GOGC}\`); sesform runs ${Math.max(1, os.availableParallelism())} stacks at once (its default: one per core).

| run | wall time |
|---|---|
| \`npx cdktf plan <stack> --skip-provider-lock\`, each of the ${STACKS} stacks in turn | ${stock.toFixed(1)} s |
| \`sesform plan --all\` without the provider pool (\`SESFORM_SHARED_PROVIDER=0\`; init seeding on) | ${unpooled.seconds.toFixed(1)} s |
| \`sesform plan --all\` (synth in-process, init + plan + show per stack, in parallel, pooled providers) | ${plan.seconds.toFixed(1)} s |
| \`sesform plan --all\` again (init reused: backend and providers unchanged) | ${replan.seconds.toFixed(1)} s |
| \`sesform drift --all\` after apply, nothing changed (refresh, plan, SES API reads) | ${drift.seconds.toFixed(1)} s |

${targetsTable(checks)}
`;
    publish('engine', report, checks);
  } finally {
    await emulator.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
