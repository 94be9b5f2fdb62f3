/**
 * One synthesized stack folder and the real terraform steps run in it (the TerraformWorkspace of the
 * real runner, terraform-cli.ts).
 */
import { SynthesizedStack } from './synthesized-stack';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InitTemplates } from './init-templates';
import { ProviderPool, withSharedProvider } from './provider-server';
import { StackStepError, stepError } from './errors';
import { pinProviderChecksums } from './provider-checksums';
import type { TerraformProcesses, TerraformResult } from './terraform';
import type { PlanJson, PlanResult, PlanSummary, TerraformWorkspace } from './runner';

export function planSummary(output: string): PlanSummary {
  const counts = /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/.exec(output);
  if (counts === null) return { changes: false, import: 0, add: 0, change: 0, destroy: 0, text: 'no changes' };
  const [imported, add, change, destroy] = counts.slice(1).map((count) => Number(count ?? 0));
  const importText = imported > 0 ? `${imported} to import, ` : '';
  return {
    changes: true,
    import: imported,
    add,
    change,
    destroy,
    text: `${importText}${add} to add, ${change} to change, ${destroy} to destroy`,
  };
}

/** What a workspace shares with the run that made it. */
export interface WorkspaceSeams {
  readonly processes: TerraformProcesses;
  /** The run's provider processes (see provider-server); without it each use starts one of its own. */
  readonly providers?: ProviderPool;
  /** Seeds fresh folders with an earlier stack's provider installation (see init-templates). */
  readonly templates?: InitTemplates;
  /** Local mode: each run's emulator has a new address and holds fresh state, so init reconfigures. */
  readonly reconfigure?: boolean;
  /** false: plans take no state lock (runs through the read-only plan roles, which may not write it). */
  readonly lock?: boolean;
}

export class StackWorkspace implements TerraformWorkspace {
  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly seams: WorkspaceSeams,
    readonly notes: string[] = [],
  ) {}

  sharingProvider<T>(work: (workspace: TerraformWorkspace) => Promise<T>): Promise<T> {
    // The attached workspace shares the notes: what its init says reaches the run's report.
    const attached = (env: NodeJS.ProcessEnv) =>
      work(new StackWorkspace(this.name, this.dir, env, { ...this.seams, providers: undefined }, this.notes));
    return this.seams.providers
      ? this.seams.providers.use(this.dir, this.env, attached)
      : withSharedProvider(this.dir, this.env, attached);
  }

  /**
   * Any terraform command in the folder (tests reach Terraform itself through it). A command that
   * talks to AWS attaches to a pooled provider when the run has a pool and this workspace is not
   * attached already (see sharingProvider); Terraform would otherwise start several per command.
   */
  run(args: readonly string[]): Promise<TerraformResult> {
    const { providers, processes } = this.seams;
    const inFolder = (env: NodeJS.ProcessEnv) => processes.run(args, { cwd: this.dir, env });
    if (providers === undefined || !USES_PROVIDER.has(args[0])) return inFolder(this.env);
    return providers.use(this.dir, this.env, inFolder);
  }

  private async step(
    step: string,
    args: readonly string[],
    okCodes: readonly number[] = [0],
  ): Promise<TerraformResult> {
    const result = await this.run(args);
    if (!okCodes.includes(result.code)) throw stepError(this.name, step, result);
    return result;
  }

  /** `terraform init`, always (initIfNeeded skips it when nothing it depends on changed). */
  async init(): Promise<TerraformResult> {
    const args = ['init', '-input=false', '-no-color', ...(this.seams.reconfigure ? ['-reconfigure'] : [])];
    try {
      return await this.step('init', args);
    } catch (error) {
      // The lock file is sesform's own (written by an earlier init in this folder): when it pins a
      // provider version the configuration now excludes (another run's mirror, a changed
      // awsProviderVersion), Terraform refuses until the lock is upgraded. sesform does that itself.
      const mismatch = error instanceof StackStepError ? LOCK_MISMATCH.exec(error.output) : null;
      if (mismatch === null) throw error;
      const upgraded = await this.step('init', [...args, '-upgrade']);
      this.notes.push(
        `the provider lock file pinned ${mismatch[1]}, which this configuration's version constraint excludes; re-initialized with -upgrade (the lock file is sesform's own, in ${this.dir})`,
      );
      return upgraded;
    }
  }

  private get initMarker(): string {
    return path.join(this.dir, '.terraform', 'sesform-init');
  }

  async initIfNeeded(onInit?: () => void): Promise<boolean> {
    // The stack's backend and provider requirements: what `terraform init` depends on.
    const inputs = SynthesizedStack.read(this.dir).initInputs;
    if (fs.existsSync(this.initMarker) && fs.readFileSync(this.initMarker, 'utf8') === inputs) return false;
    onInit?.();
    this.seams.templates?.seed(this.dir);
    // A fresh folder's lock file carries the project's pinned provider checksum: Terraform refuses a
    // provider binary whose hash differs.
    pinProviderChecksums(this.dir);
    await this.init();
    fs.writeFileSync(this.initMarker, inputs);
    this.seams.templates?.record(this.dir);
    return true;
  }

  async plan(out?: string): Promise<PlanResult> {
    const args = [
      'plan',
      '-input=false',
      '-no-color',
      '-detailed-exitcode',
      ...(this.seams.lock === false ? ['-lock=false'] : []),
      ...(out ? [`-out=${out}`] : []),
    ];
    const result = await this.step('plan', args, [0, 2]);
    return { ...planSummary(result.stdout), changes: result.code === 2, output: result.stdout };
  }

  async showPlan(planFile: string): Promise<PlanJson> {
    const result = await this.step('show', ['show', '-json', '-no-color', planFile]);
    return JSON.parse(result.stdout) as PlanJson;
  }

  async import(address: string, id: string): Promise<void> {
    await this.step('import', ['import', '-input=false', '-no-color', address, id]);
  }

  async stateAddresses(): Promise<string[]> {
    const result = await this.run(['state', 'list']);
    if (result.code !== 0 && /No state file was found/.test(result.stderr)) return [];
    if (result.code !== 0) throw stepError(this.name, 'state list', result);
    return result.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  async forceUnlock(lockId: string): Promise<void> {
    await this.step('force-unlock', ['force-unlock', '-force', lockId]);
  }

  /** Applies a saved plan, or plans and applies at once without one (bootstrap and tests). */
  async apply(planFile?: string): Promise<string> {
    const args = ['apply', '-input=false', '-no-color', '-auto-approve', ...(planFile ? [planFile] : [])];
    const result = await this.step('apply', args);
    return /Apply complete! (.*)/.exec(result.stdout)?.[1] ?? 'applied';
  }

  async destroy(): Promise<void> {
    await this.step('destroy', ['destroy', '-input=false', '-no-color', '-auto-approve']);
  }
}

/** The commands that start the AWS provider (init installs it, state and unlock only touch the backend). */
const USES_PROVIDER = new Set(['plan', 'apply', 'show', 'import', 'destroy', 'refresh']);

/** Terraform's refusal of a lock file that pins another provider version than the configuration allows. */
const LOCK_MISMATCH =
  /locked provider (registry\.terraform\.io\/hashicorp\/aws \S+)\s+does\s+not\s+match\s+configured\s+version\s+constraint/;
