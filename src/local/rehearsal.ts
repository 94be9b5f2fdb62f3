/**
 * The main job on the embedded default (`npm start`): the whole rollout of the environments against
 * the local emulator, with real Terraform. Starts the emulator, synthesizes in local mode, inits and
 * plans every stack, applies wave by wave, shows what was created, and plans again to prove that
 * nothing is left to change. The emulator stops at the end, whatever happened.
 */
import * as path from 'node:path';
import { synthesize } from '../app';
import { defaultConcurrency, mapLimit } from '../concurrency';
import { startEmulator } from '../emulator/emulator';
import type { LoadedEnvironment } from '../environment/loader';
import { StackWorkspace } from '../terraform/stack-workspace';
import { WORK_DIR, localProviderVersion, terraformEnvironment } from '../terraform/terraform';
import { describeInventory, inventoryOf } from './inventory';
import { LOCAL_CREDENTIALS_ENV, localTarget } from './local-target';
import { createLocalStateBuckets } from './state-buckets';

/** Where local-mode stacks are synthesized, apart from the real ones in cdktf.out. */
export const LOCAL_OUTDIR = path.join(WORK_DIR, 'local', 'cdktf.out');

export interface RehearsalOptions {
  readonly environments: readonly LoadedEnvironment[];
  readonly out: NodeJS.WritableStream;
  readonly concurrency?: number;
  readonly outdir?: string;
}

interface StackRun {
  readonly workspace: StackWorkspace;
  readonly environment: LoadedEnvironment['environment'];
}

/** The resource headers and changed attributes of a plan's text, for a failure report. */
function changedLines(planText: string): string[] {
  return planText
    .split('\n')
    .filter((line) => /^\s+# |^\s+[~+-] \w/.test(line))
    .map((line) => line.trim());
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Resolves to the exit code: 0 when every stack applied and re-planned with no changes, 1 otherwise. */
export async function rehearse({
  environments,
  out,
  concurrency = defaultConcurrency(),
  outdir = LOCAL_OUTDIR,
}: RehearsalOptions): Promise<number> {
  const say = (line: string) => out.write(`${line}\n`);
  const started = Date.now();
  const emulator = await startEmulator();
  const stopOnSignal = () => void emulator.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const target = localTarget(emulator.endpoint, localProviderVersion());
    say(`emulator   ${target.endpoint} (pid ${emulator.pid}); AWS provider ${target.providerVersion}`);
    const { stacks } = synthesize(environments, path.resolve(outdir), { local: target });
    say(`synth      ${stacks.length} stack(s) to ${outdir}`);
    await createLocalStateBuckets(
      target,
      environments.map(({ environment }) => environment),
    );

    const env = terraformEnvironment(LOCAL_CREDENTIALS_ENV);
    const runs: StackRun[] = stacks.map((stack) => ({
      workspace: StackWorkspace.in(path.resolve(outdir), stack.node.id, env),
      environment: stack.environment,
    }));
    await mapLimit(runs, concurrency, async ({ workspace }) => {
      const since = Date.now();
      await workspace.init({ reconfigure: true });
      say(`init       ${workspace.name} (${seconds(since)})`);
    });
    await mapLimit(runs, concurrency, async ({ workspace }) => {
      const plan = await workspace.plan('tfplan');
      say(`plan       ${workspace.name}: ${plan.text}`);
    });

    const waves = [...new Set(runs.map((run) => run.environment.wave))].sort((a, b) => a - b);
    for (const wave of waves) {
      const inWave = runs.filter((run) => run.environment.wave === wave);
      say(`wave ${wave}     applying ${inWave.map((run) => run.workspace.name).join(', ')}`);
      await mapLimit(inWave, concurrency, async ({ workspace }) => {
        const since = Date.now();
        const result = await workspace.apply('tfplan');
        const applied = /Apply complete! (.*)/.exec(result.stdout)?.[1] ?? 'done';
        say(`apply      ${workspace.name}: ${applied} (${seconds(since)})`);
      });
    }

    say('\ncreated');
    for (const { workspace, environment } of runs) {
      say(`  ${workspace.name} (account ${environment.accountId}, wave ${environment.wave})`);
      for (const line of describeInventory(inventoryOf(await workspace.state()))) say(line);
    }
    say('');

    const replans = await mapLimit(runs, concurrency, async ({ workspace }) => {
      const plan = await workspace.plan();
      say(`re-plan    ${workspace.name}: ${plan.changes ? `CHANGES: ${plan.text}` : 'no changes'}`);
      if (plan.changes) for (const line of changedLines(plan.output)) say(`             ${line}`);
      return plan;
    });
    const drifting = runs.filter((_, index) => replans[index].changes).map((run) => run.workspace.name);
    if (drifting.length > 0) {
      say(
        `\nThe second plan is not empty for ${drifting.join(', ')}: what was applied does not read back as declared.`,
      );
      return 1;
    }
    say(
      `\nRehearsal complete in ${seconds(started)}: ${runs.length} stack(s) applied in ${waves.length} wave(s); the second plan shows no changes.`,
    );
    return 0;
  } catch (error) {
    say(`\nRehearsal failed: ${(error as Error).message}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await emulator.stop();
    say('emulator   stopped');
  }
}
