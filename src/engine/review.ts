/**
 * Applying what a pull request reviewed. The pull request's plans are made through the read-only plan
 * roles, and a Terraform plan file carries the role it was made with, so those files can never be
 * applied. What is carried from review to apply is therefore the plan's record: the configuration it
 * was made from (hashed without the roles) and what it does, resource by resource and value by value.
 * After merge, a fresh plan with the deploy roles is applied only when it is that same plan.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { changeLines } from '../report/text';
import { SavedPlan, actionsDiffer, readSavedPlan } from './plan-store';

/** The reviewed plan records of a folder (`<stack>.json`, as `sesform plan` writes them; plan files not needed). */
export class ReviewedPlans {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    if (!fs.existsSync(this.dir) || !fs.statSync(this.dir).isDirectory())
      throw new Error(
        `--reviewed ${dir}: no such folder (it holds the plan records of the review, <stack>.json, as sesform plan --plans DIR writes them).`,
      );
  }

  record(stack: string): SavedPlan | undefined {
    const file = path.join(this.dir, `${stack}.json`);
    if (!fs.existsSync(file)) return undefined;
    const record = readSavedPlan(file);
    if (record.stack !== stack)
      throw new Error(`${file}: not a sesform plan record of ${stack} (it names another stack).`);
    return record;
  }

  /**
   * How the fresh plan differs from this stack's reviewed one. A record that is not a valid sesform
   * plan record is no review: the plan goes back to review, and the other stacks' waves are not blocked.
   */
  differences(stack: string, fresh: SavedPlan): string[] {
    try {
      return reviewDifferences(this.record(stack), fresh);
    } catch (error) {
      return [`the reviewed record is not usable (${(error as Error).message}): this plan needs a review of its own`];
    }
  }
}

/**
 * How a fresh plan differs from the reviewed one, one line per difference; empty when it is the
 * reviewed plan: same configuration, same actions on the same resources, same values before -> after
 * (a state that moved since the review changes the "before" values, and shows here). What is shown
 * comes from the fresh plan and from the record's validated hashes, addresses and actions only: the
 * record's change text is compared, never printed (it is whatever the record's writer put there).
 */
export function reviewDifferences(reviewed: SavedPlan | undefined, fresh: SavedPlan): string[] {
  if (reviewed === undefined) return ['no plan of this stack was reviewed (the pull request did not plan it)'];
  if (reviewed.reviewHash !== fresh.reviewHash)
    return ['its configuration is not the one reviewed (another change reached main since, or the branch was rebased)'];
  const actions = actionsDiffer(reviewed.actions, fresh.actions)
    .sort()
    .map(
      (address) =>
        `${address}: ${fresh.actions[address] ?? 'nothing'} now, ${reviewed.actions[address] ?? 'nothing'} reviewed`,
    );
  const before = changeLines(reviewed.changes);
  const after = changeLines(fresh.changes);
  const missing = before.filter((line) => !after.includes(line)).length;
  return [
    ...actions,
    ...(missing > 0 ? [`${missing} change line(s) the review approved are not in this plan as it is now`] : []),
    ...after.filter((line) => !before.includes(line)).map((line) => `planned now, not reviewed: ${line}`),
  ];
}
