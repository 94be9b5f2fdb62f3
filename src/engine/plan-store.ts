/**
 * Saved plans: what `sesform plan` wrote and `sesform apply` may apply, one pair of files per stack in
 * a stable folder (`.sesform/plans`, `.sesform/local/plans` in local mode):
 *   <stack>.tfplan      Terraform's plan file
 *   <stack>.json        the configuration it was made from (a hash) and what it changes
 *   <stack>.applying    present while an apply of the plan runs; left behind if the process was killed
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FleetStack } from '../fleet/fleet';
import { SynthesizedStack } from '../terraform/synthesized-stack';
import type { PlanJson } from '../terraform/runner';
import type { StackChanges } from '../report/change-model';
import { parseRecord } from '../report/report-schemas';
import { PendingCreatesSchema, SavedPlanSchema } from './record-schemas';

export interface SavedPlan {
  readonly stack: string;
  /** Hash of the synthesized stack the plan was made from. */
  readonly configHash: string;
  /** The same configuration hashed without its assumed role: what a review and its merge compare (review.ts). */
  readonly reviewHash: string;
  /** Hash of the plan file itself: apply applies only the file this record describes. */
  readonly planSha256: string;
  readonly createdAt: string;
  readonly changes: StackChanges;
  /** Every resource the plan acts on, with Terraform's actions ("create", "delete,create", ...). */
  readonly actions: Readonly<Record<string, string>>;
  /** What the plan creates, to take over after an interrupted apply. */
  readonly creates: readonly PendingCreate[];
  /** Made through the plan role (--read-only), which cannot change anything: never applied. */
  readonly readOnly?: true;
}

/** The resources a plan acts on, with their actions; no-ops and reads left out. */
export function plannedActions(plan: PlanJson): Record<string, string> {
  return Object.fromEntries(
    (plan.resource_changes ?? [])
      .filter((resource) => !['no-op', 'read'].includes(resource.change.actions.join(',')) || resource.change.importing)
      .map((resource) => [resource.address, resource.change.actions.join(',')]),
  );
}

/** The addresses two plans' actions disagree on (one acts and the other not, or acts otherwise). */
export function actionsDiffer(
  first: Readonly<Record<string, string>>,
  second: Readonly<Record<string, string>>,
): string[] {
  return [...new Set([...Object.keys(first), ...Object.keys(second)])].filter(
    (address) => first[address] !== second[address],
  );
}

/** Resources a fresh plan acts on that the reviewed plan did not (or not in the same way). */
export function beyondReviewed(reviewed: SavedPlan, fresh: PlanJson): string[] {
  return Object.entries(plannedActions(fresh))
    .filter(([address, actions]) => reviewed.actions[address] !== actions)
    .map(([address, actions]) => `${address} (${actions})`);
}

/** A resource the interrupted apply was creating, and the ID that imports it. */
export interface PendingCreate {
  readonly address: string;
  readonly importId: string;
}

/** The SHA-256 of a file's bytes. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The hash of a synthesized stack folder's configuration. */
export function configHash(stackDir: string): string {
  return SynthesizedStack.read(stackDir).configHash;
}

/** The hash of a synthesized stack's configuration without the role its provider and backend assume. */
export function reviewHash(stackDir: string): string {
  return SynthesizedStack.read(stackDir).reviewHash;
}

/**
 * One hash for the configuration of every synthesized stack (role-free, as reviewHash): the key the
 * pull request stores its reviewed plans under and the merged commit finds them by.
 */
export function fleetFingerprint(outdir: string, stacks: readonly string[]): string {
  const hash = createHash('sha256');
  for (const stack of [...stacks].sort()) hash.update(`${stack} ${reviewHash(path.join(outdir, 'stacks', stack))}\n`);
  return hash.digest('hex');
}

/** The import IDs (from the fleet model, by address) of the configuration sets and destinations a plan creates. */
export function pendingCreates(plan: PlanJson, stack: FleetStack): PendingCreate[] {
  const importIds = new Map<string, string>(
    stack.configurationSets.flatMap((set) => [
      [set.address, set.importId] as const,
      ...set.destinations.map((destination) => [destination.address, destination.importId] as const),
    ]),
  );
  return (plan.resource_changes ?? [])
    .filter((resource) => resource.change.actions.includes('create') && importIds.has(resource.address))
    .map((resource) => ({ address: resource.address, importId: importIds.get(resource.address)! }));
}

export class PlanStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  planFile(stack: string): string {
    return path.join(this.dir, `${stack}.tfplan`);
  }

  private metaFile(stack: string): string {
    return path.join(this.dir, `${stack}.json`);
  }

  private applyingFile(stack: string): string {
    return path.join(this.dir, `${stack}.applying`);
  }

  /** Forgets the stack's saved plan (before planning again, and once applied). */
  discard(stack: string): void {
    for (const file of [this.planFile(stack), this.metaFile(stack)]) fs.rmSync(file, { force: true });
  }

  /** Where `terraform plan -out` writes, with the folder made. */
  prepare(stack: string): string {
    fs.mkdirSync(this.dir, { recursive: true });
    this.discard(stack);
    return this.planFile(stack);
  }

  save(plan: SavedPlan): void {
    fs.writeFileSync(this.metaFile(plan.stack), `${JSON.stringify(plan, null, 2)}\n`);
  }

  /** The saved plan, or undefined when there is none (or only half of one). */
  load(stack: string): SavedPlan | undefined {
    if (!fs.existsSync(this.planFile(stack)) || !fs.existsSync(this.metaFile(stack))) return undefined;
    return readSavedPlan(this.metaFile(stack));
  }

  /** Records, before an apply starts, what it is about to create. */
  markApplying(stack: string, creates: readonly PendingCreate[]): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.applyingFile(stack), `${JSON.stringify(creates, null, 2)}\n`);
  }

  /** Terraform finished (in success or failure) and recorded what it did in the state. */
  clearApplying(stack: string): void {
    fs.rmSync(this.applyingFile(stack), { force: true });
  }

  /** What an apply that never finished was creating, if one did not. */
  interruptedApply(stack: string): PendingCreate[] | undefined {
    const file = this.applyingFile(stack);
    return fs.existsSync(file) ? readPendingCreates(file) : undefined;
  }
}

/** A saved plan or reviewed record, checked field by field (a pull request or another user may have written it). */
export const readSavedPlan = (file: string): SavedPlan =>
  parseRecord<SavedPlan>(SavedPlanSchema, fs.readFileSync(file, 'utf8'), file, 'a sesform plan record');

/** The interrupted-apply marker, checked field by field. */
export const readPendingCreates = (file: string): PendingCreate[] =>
  parseRecord<PendingCreate[]>(
    PendingCreatesSchema,
    fs.readFileSync(file, 'utf8'),
    file,
    "an interrupted apply's record",
  );
