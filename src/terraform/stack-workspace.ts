/**
 * One synthesized stack folder and the Terraform steps run in it.
 */
import { SynthesizedStack } from './synthesized-stack';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InitTemplates } from './init-templates';
import { ProviderPool, withSharedProvider } from './provider-server';
import { StackStepError, stepError } from './errors';
import { TerraformResult, terraform } from './terraform';

export { StackStepError } from './errors';

/** What a plan would do, from Terraform's own summary line. */
export interface PlanSummary {
  readonly changes: boolean;
  readonly import: number;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly text: string;
}

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

export class StackWorkspace {
  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    /** The run's provider processes (see provider-server); without it each use starts one of its own. */
    private readonly providers?: ProviderPool,
  ) {}

  /** The stack folder of `name` under a cdktf output folder. */
  static in(outdir: string, name: string, env: NodeJS.ProcessEnv, providers?: ProviderPool): StackWorkspace {
    return new StackWorkspace(name, path.join(outdir, 'stacks', name), env, providers);
  }

  /** Runs `work` on this folder with one provider process for all its terraform steps (see provider-server). */
  sharingProvider<T>(work: (workspace: StackWorkspace) => Promise<T>): Promise<T> {
    const attached = (env: NodeJS.ProcessEnv) => work(new StackWorkspace(this.name, this.dir, env));
    return this.providers
      ? this.providers.use(this.dir, this.env, attached)
      : withSharedProvider(this.dir, this.env, attached);
  }

  run(args: readonly string[]): Promise<TerraformResult> {
    return terraform(args, { cwd: this.dir, env: this.env });
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

  /** `reconfigure` for local mode, where each run's emulator has a new address and holds fresh state. */
  async init({ reconfigure = false } = {}): Promise<TerraformResult> {
    const args = ['init', '-input=false', '-no-color', ...(reconfigure ? ['-reconfigure'] : [])];
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

  /** What init did beyond the ordinary (a lock file upgraded), for the run's report. */
  readonly notes: string[] = [];

  /** The stack's backend and provider requirements: what `terraform init` depends on. */
  private initInputs(): string {
    return SynthesizedStack.read(this.dir).initInputs;
  }

  private get initMarker(): string {
    return path.join(this.dir, '.terraform', 'sesform-init');
  }

  /**
   * Runs `terraform init` unless the folder is initialized for its current backend and providers; true
   * if it ran. With `templates`, a fresh folder is first seeded with the provider installation of a
   * stack initialized before it (see init-templates).
   */
  async initIfNeeded({ reconfigure = false, templates }: { reconfigure?: boolean; templates?: InitTemplates } = {}) {
    const inputs = this.initInputs();
    if (fs.existsSync(this.initMarker) && fs.readFileSync(this.initMarker, 'utf8') === inputs) return false;
    templates?.seed(this.dir);
    await this.init({ reconfigure });
    fs.writeFileSync(this.initMarker, inputs);
    templates?.record(this.dir);
    return true;
  }

  /** A plan with `-detailed-exitcode`, saved to `out` when given. */
  async plan(out?: string): Promise<PlanSummary & { output: string }> {
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', ...(out ? [`-out=${out}`] : [])];
    const result = await this.step('plan', args, [0, 2]);
    return { ...planSummary(result.stdout), changes: result.code === 2, output: result.stdout };
  }

  /** The plan saved in `planFile`, as `terraform show -json` gives it. */
  async showPlan(planFile: string): Promise<PlanJson> {
    const result = await this.step('show', ['show', '-json', '-no-color', planFile]);
    return JSON.parse(result.stdout) as PlanJson;
  }

  /** Imports an existing object into the state at `address`. */
  import(address: string, id: string): Promise<TerraformResult> {
    return this.step('import', ['import', '-input=false', '-no-color', address, id]);
  }

  /** The addresses the state holds. */
  async stateAddresses(): Promise<string[]> {
    const result = await this.run(['state', 'list']);
    if (result.code !== 0 && /No state file was found/.test(result.stderr)) return [];
    if (result.code !== 0) throw stepError(this.name, 'state list', result);
    return result.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  /** Releases a state lock left by a terraform process that is gone. */
  forceUnlock(lockId: string): Promise<TerraformResult> {
    return this.step('force-unlock', ['force-unlock', '-force', lockId]);
  }

  /** Applies a saved plan, or plans and applies at once when none is given. */
  apply(planFile?: string): Promise<TerraformResult> {
    return this.step('apply', ['apply', '-input=false', '-no-color', '-auto-approve', ...(planFile ? [planFile] : [])]);
  }

  destroy(): Promise<TerraformResult> {
    return this.step('destroy', ['destroy', '-input=false', '-no-color', '-auto-approve']);
  }
}

/** Terraform's refusal of a lock file that pins another provider version than the configuration allows. */
const LOCK_MISMATCH =
  /locked provider (registry\.terraform\.io\/hashicorp\/aws \S+)\s+does\s+not\s+match\s+configured\s+version\s+constraint/;

/** One resource in a plan's JSON (`resource_changes` and `resource_drift`). */
export interface ResourceChangeJson {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before: Record<string, unknown> | null;
    readonly after: Record<string, unknown> | null;
    readonly importing?: { id?: string };
  };
  readonly action_reason?: string;
}

/** The parts of `terraform show -json <plan>` the engine reads. */
export interface PlanJson {
  readonly resource_changes?: readonly ResourceChangeJson[];
  readonly resource_drift?: readonly ResourceChangeJson[];
}
