/**
 * The engine's seam for Terraform: what it asks of Terraform in one stack folder, and the runner that
 * hands out those folders. The real runner (terraform-cli.ts) is the only code that starts terraform;
 * unit tests give the engine a scripted one. Failures are the typed errors of errors.ts.
 */

/** What a plan would do, from Terraform's own summary line. */
export interface PlanSummary {
  /** `-detailed-exitcode` 2: the plan changes something. */
  readonly changes: boolean;
  readonly import: number;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly text: string;
}

export interface PlanResult extends PlanSummary {
  /** Terraform's own plan text (bootstrap shows its resource lines). */
  readonly output: string;
}

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
  /** The state as refreshed before planning; absent when the stack has no state. */
  readonly prior_state?: {
    readonly values?: { readonly root_module?: { readonly resources?: readonly { readonly mode?: string }[] } };
  };
}

/** One synthesized stack folder and the Terraform steps run in it. */
export interface TerraformWorkspace {
  readonly name: string;
  readonly dir: string;
  /** What init did beyond the ordinary (a lock file upgraded), for the run's report; taken once read. */
  readonly notes: string[];
  /**
   * `terraform init` unless the folder is initialized for its current backend and providers; true if it
   * ran. `onInit` is called just before it runs (the progress line is shown only for an init that runs).
   */
  initIfNeeded(onInit?: () => void): Promise<boolean>;
  /** A plan with `-detailed-exitcode`, saved to `out` when given. */
  plan(out?: string): Promise<PlanResult>;
  /** The plan saved in `planFile`, as `terraform show -json` gives it. */
  showPlan(planFile: string): Promise<PlanJson>;
  /** Applies a saved plan; resolves with Terraform's closing line ("Resources: 1 added, ..."). */
  apply(planFile: string): Promise<string>;
  /** Imports an existing object into the state at `address`. */
  import(address: string, id: string): Promise<void>;
  /** The addresses the state holds. */
  stateAddresses(): Promise<string[]>;
  /** Releases a state lock left by a terraform process that is gone. */
  forceUnlock(lockId: string): Promise<void>;
  /** Runs `work` with one provider process for all its steps (see provider-server). */
  sharingProvider<T>(work: (workspace: TerraformWorkspace) => Promise<T>): Promise<T>;
}

/** Hands out the workspaces of one run's stacks, and stops what they started. */
export interface TerraformRunner {
  /** The workspace of a stack synthesized into the run's output folder. */
  workspace(stack: string): TerraformWorkspace;
  /** Stops every running step as Ctrl-C stops one (see TerraformProcesses.interrupt). */
  interrupt(signal: NodeJS.Signals): Promise<void>;
  /** Stops what the run kept running (provider processes); resolves to lines for the run's progress. */
  close(): Promise<string[]>;
}
