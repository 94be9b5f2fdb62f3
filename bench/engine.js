#!/usr/bin/env node
/**
 * Engine benchmark against the embedded emulator with 10 environment stacks, side by side in one run:
 *   - `sesform plan --all` (in-process synth, init and plan of every stack in parallel) against the
 *     stock `npx cdktf plan <stack> --skip-provider-lock` run for each stack in turn;
 *   - a no-change `sesform drift --all` and `sesform plan --all` once everything is applied, beside
 *     the same drift by the engine as it was before it skipped `terraform show` for plans without
 *     changes (the baseline commit, checked out and built under bench/out);
 * with every terraform invocation counted per subcommand (bench/terraform-counter.js).
 * Both plans start from fresh output folders (init included), with the same Terraform environment.
 * Writes its section of bench/results.md.
 *
 *   npm run bench:engine [-- --baseline <commit>]   (needs terraform and python3 with moto, like the
 *   end-to-end tests, and git history for the baseline)
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
const { TerraformCounter } = require('./terraform-counter');
const { execFileSync } = require('node:child_process');
const { startEmulator } = require('../src/emulator/emulator.ts');
const { createLocalStateBuckets } = require('../src/local/state-buckets.ts');
const { localTarget, terraformEnvironmentFor } = require('../src/local/local-target.ts');
const { localProviderVersion } = require('../src/terraform/terraform.ts');
const { loadEnvironments } = require('../src/fleet/loader.ts');

const out = path.join(__dirname, 'out', 'engine');
const fleet = path.join(out, 'environments');
const STACKS = 10;
/** The engine before no-change plans skipped `terraform show` (and before its Terraform seam). */
const BASELINE = (() => {
  const at = process.argv.indexOf('--baseline');
  return at > 0 ? process.argv[at + 1] : '0191243';
})();

/** The baseline commit's sesform, extracted and built beside this one (it shares node_modules). */
function baselineCli() {
  const root = path.resolve(__dirname, '..');
  const dir = path.join(out, 'baseline');
  fs.mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', BASELINE], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, ['scripts/build.js'], { cwd: dir, stdio: 'ignore' });
  return path.join(dir, 'bin', 'sesform.js');
}

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  generateFleet(fleet, STACKS, {
    sets: ['transactional', 'marketing'],
    accountBase: 200000000000,
    bucket: 'bench-state-{accountId}',
  });
  const baseline = baselineCli();
  const counter = new TerraformCounter(out);
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
    const sesform = (command, extra = [], cli = 'bin/sesform.js') => [
      cli,
      command,
      '--all',
      '--local',
      '--endpoint',
      emulator.endpoint,
      // drift reads no saved plans: it takes no --plans.
      ...(command === 'drift' ? [] : ['--plans', path.join(out, 'plans')]),
      ...extra,
    ];
    /** A counted run: its wall time and its terraform invocations per subcommand. */
    const counted = async (label, command, args, runEnv, okCodes) => {
      const result = await timed(label, command, args, counter.env(label, runEnv), okCodes);
      return { ...result, terraform: counter.counts(label) };
    };
    // Warm-up: the file system cache (provider binary, node modules) for both contenders.
    await timed('warm-up', 'node', [...sesform('plan', ['--output', path.join(out, 'warmup.out')])], env, [2]);

    const stacks = environments.map(({ environment }) => `${environment.name}-eu-west-1`);
    let stock = 0;
    const stockCounts = {};
    for (const stack of stacks) {
      const run = await counted(
        `npx cdktf plan ${stack}`,
        'npx',
        ['cdktf', 'plan', stack, '--skip-provider-lock', '--output', path.join(out, 'cdktf.out')],
        env,
      );
      stock += run.seconds;
      for (const [command, count] of Object.entries(run.terraform))
        stockCounts[command] = (stockCounts[command] ?? 0) + count;
    }

    // The same plan without the provider pool and the init seeding's first-use (one provider process per
    // stack's plan and show, as before the pool): what the pool is worth, side by side.
    const unpooled = await counted(
      'sesform plan --all (SESFORM_SHARED_PROVIDER=0)',
      'node',
      sesform('plan', ['--output', path.join(out, 'unpooled.out')]),
      { ...env, SESFORM_SHARED_PROVIDER: '0' },
      [2],
    );
    const plan = await counted(
      'sesform plan --all',
      'node',
      sesform('plan', ['--output', path.join(out, 'sesform.out')]),
      env,
      [2],
    );
    const replan = await counted(
      'sesform plan --all (initialized)',
      'node',
      sesform('plan', ['--output', path.join(out, 'sesform.out')]),
      env,
      [2],
    );
    await timed('sesform apply --all', 'node', sesform('apply', ['--output', path.join(out, 'sesform.out')]), env);
    const drift = await counted(
      'sesform drift --all',
      'node',
      sesform('drift', ['--output', path.join(out, 'sesform.out'), '--json']),
      env,
    );
    const inSyncIn = (run) => JSON.parse(run.stdout).stacks.every((stack) => stack.outcome === 'in-sync');
    const inSync = inSyncIn(drift);
    const unchangedPlan = await counted(
      'sesform plan --all (after apply, no changes)',
      'node',
      sesform('plan', ['--output', path.join(out, 'sesform.out')]),
      env,
    );
    // The baseline's drift of the same accounts, in a folder of its own: once to initialize it, then measured.
    const baselineDrift = (label) =>
      counted(label, 'node', sesform('drift', ['--output', path.join(out, 'baseline.out'), '--json'], baseline), env);
    await baselineDrift('baseline drift (initializing)');
    const before = await baselineDrift(`baseline ${BASELINE} drift --all`);
    const driftRatio = drift.seconds / before.seconds;
    const processes = (run) => Object.values(run.terraform).reduce((sum, count) => sum + count, 0);

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
      [
        `no-change \`sesform drift --all\`: one terraform process per stack (${STACKS})`,
        processes(drift) === STACKS,
        TerraformCounter.text(drift.terraform),
      ],
      [
        `no-change \`sesform drift --all\` at most half the baseline's (${BASELINE}, same run)`,
        driftRatio <= 0.5 && inSyncIn(before),
        `${driftRatio.toFixed(2)} (${drift.seconds.toFixed(1)} s vs ${before.seconds.toFixed(1)} s)`,
      ],
    ];
    const report = `## Plan/apply engine

Produced by \`npm run bench:engine\` (\`node bench/engine.js\`) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores,
${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}; real \`terraform\` and AWS provider ${target.providerVersion}
against the embedded emulator, ${STACKS} environment stacks (2 sets x 2 destinations each, waves 0-2). Both
contenders start from a fresh output folder (so each stack's \`terraform init\` is included) and get the
same Terraform environment (the mirror's CLI config, \`GOGC=${env.GOGC}\`); sesform runs ${Math.max(1, os.availableParallelism())} stacks at once (its default: one per core).

| run | wall time | terraform processes |
|---|---|---|
| \`npx cdktf plan <stack> --skip-provider-lock\`, each of the ${STACKS} stacks in turn | ${stock.toFixed(1)} s | ${TerraformCounter.text(stockCounts)} |
| \`sesform plan --all\` without the provider pool (\`SESFORM_SHARED_PROVIDER=0\`; init seeding on) | ${unpooled.seconds.toFixed(1)} s | ${TerraformCounter.text(unpooled.terraform)} |
| \`sesform plan --all\` (synth in-process, init + plan + show per stack, in parallel, pooled providers) | ${plan.seconds.toFixed(1)} s | ${TerraformCounter.text(plan.terraform)} |
| \`sesform plan --all\` again (init reused: backend and providers unchanged) | ${replan.seconds.toFixed(1)} s | ${TerraformCounter.text(replan.terraform)} |
| \`sesform plan --all\` after apply, nothing to change (plan only: no \`show\`) | ${unchangedPlan.seconds.toFixed(1)} s | ${TerraformCounter.text(unchangedPlan.terraform)} |
| \`sesform drift --all\` after apply, nothing changed (refresh, plan, SES API reads) | ${drift.seconds.toFixed(1)} s | ${TerraformCounter.text(drift.terraform)} |
| the same drift by the baseline, ${BASELINE} (plan and \`show\` for every stack) | ${before.seconds.toFixed(1)} s | ${TerraformCounter.text(before.terraform)} |

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
