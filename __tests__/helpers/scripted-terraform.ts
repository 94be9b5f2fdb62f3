/**
 * A scripted TerraformRunner for the engine's unit tests: each stack's plans and failures are given by
 * the test, failures are Terraform's own output captured by __tests__/fixtures/terraform/capture.ts
 * (turned into typed errors by the real recognisers), and every step is recorded. Plan files are zip
 * archives like Terraform's, holding the copy of the stack's configuration Terraform keeps and the
 * plan's JSON, so `show` reads back what the file says: a swapped file shows what it really does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { zipEntry } from '../../src/terraform/plan-file';
import { stepError } from '../../src/terraform/errors';
import type {
  PlanJson,
  PlanResult,
  ResourceChangeJson,
  TerraformRunner,
  TerraformWorkspace,
} from '../../src/terraform/runner';
import type { TerraformResult } from '../../src/terraform/terraform';
import type { FleetStack } from '../../src/fleet/fleet';
import { METRIC_RECORD_ADDRESS } from '../../src/fleet/metric-record';

export type Step = 'init' | 'plan' | 'show' | 'apply' | 'import' | 'state list' | 'force-unlock';

/** What terraform printed in one captured situation (see the capture script for the list). */
export function captured(name: string): TerraformResult {
  const file = path.join(__dirname, '..', 'fixtures', 'terraform', `${name}.json`);
  const { code, stdout, stderr, signal } = JSON.parse(fs.readFileSync(file, 'utf8')) as TerraformResult;
  return { code, stdout, stderr, ...(signal ? { signal } : {}) };
}

export interface StackScript {
  /** What each `terraform plan` of the stack finds, in order; the last one repeats. Default: no changes. */
  plans?: PlanJson[];
  /** Per step, the outcome of each call in order: a captured output's name fails it, undefined lets it pass. */
  fail?: Partial<Record<Step, (string | undefined)[]>>;
  /** The addresses the state holds (imports and applies add to it). */
  state?: string[];
  /** Import IDs of objects that do not exist (import fails as Terraform does). */
  missing?: string[];
  /** Apply hangs until the run is interrupted, then fails as an interrupted terraform does. */
  applyHangs?: boolean;
}

export interface Call {
  readonly stack: string;
  readonly step: Step;
  readonly detail?: string;
}

/** A zip archive of stored (uncompressed) entries. */
function zip(entries: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    directory.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const size = directory.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...directory, end]);
}

const PLAN_JSON = 'sesform-test/plan.json';

/** A plan file of `plan`, made from the configuration `configuration` (a stack's cdk.tf.json). */
export function planFileOf(plan: PlanJson, configuration: Buffer): Buffer {
  return zip({ [PLAN_JSON]: Buffer.from(JSON.stringify(plan)), 'tfconfig/m-/cdk.tf.json': configuration });
}

/** The plan a plan file of this runner holds. */
export function planIn(planFile: string): PlanJson {
  return JSON.parse(zipEntry(fs.readFileSync(planFile), PLAN_JSON)!.toString()) as PlanJson;
}

const changes = (plan: PlanJson) =>
  (plan.resource_changes ?? []).some((resource) => !['no-op', 'read'].includes(resource.change.actions.join(',')));

export class ScriptedTerraform implements TerraformRunner {
  readonly calls: Call[] = [];
  /** Stacks whose apply is running now (applyHangs), and what ends them. */
  private readonly hanging = new Set<() => void>();
  /** Resolves when a hanging apply has started. */
  applyStarted?: Promise<void>;
  private started?: () => void;

  constructor(
    private readonly outdir: string,
    readonly scripts: Record<string, StackScript> = {},
  ) {
    this.applyStarted = new Promise((resolve) => (this.started = resolve));
  }

  script(stack: string): StackScript {
    return (this.scripts[stack] ??= {});
  }

  /** The steps run, as `stack step` strings, in order; only `steps` when given. */
  steps(...steps: Step[]): string[] {
    return this.calls
      .filter((call) => steps.length === 0 || steps.includes(call.step))
      .map((call) => `${call.stack} ${call.step}${call.detail ? ` ${call.detail}` : ''}`);
  }

  workspace(stack: string): TerraformWorkspace {
    return new ScriptedWorkspace(this, stack, path.join(this.outdir, 'stacks', stack));
  }

  /** Records the call, and throws the scripted failure of this call of the step, if any. */
  record(stack: string, step: Step, detail?: string): void {
    this.calls.push({ stack, step, ...(detail ? { detail } : {}) });
    const failure = this.script(stack).fail?.[step]?.shift();
    if (failure !== undefined) throw stepError(stack, step, captured(failure));
  }

  hang(stack: string): Promise<void> {
    this.started?.();
    return new Promise((_, reject) => {
      const end = () => reject(stepError(stack, 'apply', captured('apply-interrupted')));
      this.hanging.add(end);
    });
  }

  async interrupt(): Promise<void> {
    for (const end of this.hanging) end();
    this.hanging.clear();
  }

  async close(): Promise<string[]> {
    return [];
  }
}

class ScriptedWorkspace implements TerraformWorkspace {
  readonly notes: string[] = [];

  constructor(
    private readonly terraform: ScriptedTerraform,
    readonly name: string,
    readonly dir: string,
  ) {}

  private get script(): StackScript {
    return this.terraform.script(this.name);
  }

  async initIfNeeded(onInit?: () => void): Promise<boolean> {
    onInit?.();
    this.terraform.record(this.name, 'init');
    return true;
  }

  async plan(out?: string): Promise<PlanResult> {
    this.terraform.record(this.name, 'plan');
    const plans = this.script.plans ?? [];
    const plan = (plans.length > 1 ? plans.shift() : plans[0]) ?? {};
    if (out !== undefined) fs.writeFileSync(out, planFileOf(plan, fs.readFileSync(path.join(this.dir, 'cdk.tf.json'))));
    const planned = changes(plan);
    return {
      changes: planned,
      import: 0,
      add: 0,
      change: 0,
      destroy: 0,
      text: planned ? 'changes' : 'no changes',
      output: '',
    };
  }

  async showPlan(planFile: string): Promise<PlanJson> {
    this.terraform.record(this.name, 'show');
    return planIn(planFile);
  }

  async apply(planFile: string): Promise<string> {
    this.terraform.record(this.name, 'apply');
    if (this.script.applyHangs) await this.terraform.hang(this.name);
    const plan = planIn(planFile);
    const state = new Set(this.script.state ?? []);
    for (const resource of plan.resource_changes ?? []) {
      if (resource.change.actions.includes('delete')) state.delete(resource.address);
      if (resource.change.actions.includes('create')) state.add(resource.address);
    }
    this.script.state = [...state];
    // Once applied, the stack's next plan finds nothing to change, unless the test scripted more.
    if ((this.script.plans?.length ?? 0) <= 1) this.script.plans = [{}];
    return 'Resources: applied.';
  }

  async import(address: string, id: string): Promise<void> {
    this.terraform.record(this.name, 'import', `${address} ${id}`);
    if (this.script.missing?.includes(id)) throw stepError(this.name, 'import', captured('import-missing-object'));
    this.script.state = [...(this.script.state ?? []), address];
  }

  async stateAddresses(): Promise<string[]> {
    this.terraform.record(this.name, 'state list');
    return [...(this.script.state ?? [])];
  }

  async forceUnlock(lockId: string): Promise<void> {
    this.terraform.record(this.name, 'force-unlock', lockId);
  }

  sharingProvider<T>(work: (workspace: TerraformWorkspace) => Promise<T>): Promise<T> {
    return work(this);
  }
}

// --- plans built from the fleet model ------------------------------------------------------------

function resourceChange(
  address: string,
  actions: string[],
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): ResourceChangeJson {
  const [type, name] = address.split('.');
  return { address, type, name, change: { actions, before, after } };
}

const destinationValues = (
  set: string,
  destination: FleetStack['configurationSets'][number]['destinations'][number],
) => ({
  configuration_set_name: set,
  event_destination_name: destination.name,
  event_destination: [{ enabled: true, matching_event_types: ['SEND'], cloud_watch_destination: [] }],
});

/** The first plan of a stack: every set and destination it declares created, and its metric record. */
export function createsAll(stack: FleetStack): PlanJson {
  return {
    resource_changes: [
      ...stack.configurationSets.flatMap((set) => [
        resourceChange(set.address, ['create'], null, { configuration_set_name: set.name }),
        ...set.destinations.map((destination) =>
          resourceChange(destination.address, ['create'], null, destinationValues(set.name, destination)),
        ),
      ]),
      resourceChange(METRIC_RECORD_ADDRESS, ['create'], null, { input: null }),
    ],
  };
}

/** The refreshed state a plan of an applied stack carries: the given resources, managed. */
function priorState(...addresses: string[]): PlanJson['prior_state'] {
  return { values: { root_module: { resources: addresses.map((address) => ({ address, mode: 'managed' })) } } };
}

/** A plan that deletes the set named `name` (declared by `stack`, or a set's address given whole). */
export function deletesSet(stack: FleetStack, name: string): PlanJson {
  const declared = stack.configurationSets.find((set) => set.name === name);
  const address = declared?.address ?? `aws_sesv2_configuration_set.${name}`;
  return {
    prior_state: priorState(address),
    resource_changes: [resourceChange(address, ['delete'], { configuration_set_name: name }, null)],
  };
}

/** A plan that changes one option of the set named `name`, before -> after. */
export function updatesSet(stack: FleetStack, name: string, before: object, after: object): PlanJson {
  const set = stack.configurationSets.find((candidate) => candidate.name === name)!;
  return {
    prior_state: priorState(set.address),
    resource_changes: [
      resourceChange(
        set.address,
        ['update'],
        { configuration_set_name: name, ...before },
        { configuration_set_name: name, ...after },
      ),
    ],
  };
}
