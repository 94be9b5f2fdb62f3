/**
 * The review's plans and the merged configuration: the role-free configuration hash, the fleet's
 * fingerprint, and how a fresh plan differs from the reviewed one (expected lines written out here,
 * not computed by the code under test).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../../src/app';
import type { StackChanges } from '../../src/report/change-model';
import { configHash, fleetFingerprint, reviewHash, SavedPlan } from '../../src/engine/plan-store';
import { ReviewedPlans, reviewDifferences } from '../../src/engine/review';
import { loadEnvironments } from '../../src/fleet/loader';
import { withPlanRole } from '../../src/fleet/fleet';
import { environmentYaml, writeFiles } from '../helpers/synth';

const ACCOUNT = '123456789012';
const file = (owner: string) =>
  environmentYaml(
    'billing',
    ACCOUNT,
    `planRole: { arn: "arn:aws:iam::${ACCOUNT}:role/ses-plan", externalId: plan-id }\nconfigurationSets:\n  - name: invoices\n    tags: { owner: ${owner} }\n`,
  );

/** Synthesizes the environment file as `role` would plan it, and returns the stack's folder. */
function synthesized(owner: string, role: 'deploy' | 'plan', deployRole = 'ses-deploy'): string {
  const { dir, cleanup } = writeFiles({ 'billing.yaml': file(owner).replace('role/ses-deploy', `role/${deployRole}`) });
  try {
    const { fleet, problems } = loadEnvironments(dir);
    expect(problems).toEqual([]);
    const stacks = role === 'plan' ? fleet.stacks.map((stack) => withPlanRole(stack)!) : fleet.stacks;
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-review-'));
    synthesize({ stacks }, outdir);
    return outdir;
  } finally {
    cleanup();
  }
}

const STACK = 'billing-eu-west-1';
const stackDir = (outdir: string) => path.join(outdir, 'stacks', STACK);

test('the review hash leaves out the assumed role, and only it', () => {
  const deploy = synthesized('mail', 'deploy');
  const plan = synthesized('mail', 'plan');
  const edited = synthesized('platform', 'deploy');
  expect(fs.readFileSync(path.join(stackDir(plan), 'cdk.tf.json'), 'utf8')).toContain('role/ses-plan');
  expect(configHash(stackDir(deploy))).not.toBe(configHash(stackDir(plan)));
  expect(reviewHash(stackDir(deploy))).toBe(reviewHash(stackDir(plan)));
  expect(reviewHash(stackDir(edited))).not.toBe(reviewHash(stackDir(deploy)));
  // The fingerprint: the same for the review (plan roles) and the merge (deploy roles).
  expect(fleetFingerprint(deploy, [STACK])).toBe(fleetFingerprint(plan, [STACK]));
  expect(fleetFingerprint(deploy, [STACK])).toMatch(/^[0-9a-f]{64}$/);
  expect(fleetFingerprint(edited, [STACK])).not.toBe(fleetFingerprint(deploy, [STACK]));
  // The declared deploy role is configuration (the stack's record holds it): changing it is a change to review.
  const broader = synthesized('mail', 'plan', 'OrganizationAccountAccessRole');
  expect(fleetFingerprint(broader, [STACK])).not.toBe(fleetFingerprint(plan, [STACK]));
});

const tagChange = (before: string, after: string, extra: StackChanges['configurationSets'][number]['changes'] = []) =>
  ({
    counts: { add: 0, change: 1, replace: 0, destroy: 0, import: 0 },
    configurationSets: [
      {
        address: 'aws_sesv2_configuration_set.invoices',
        name: 'invoices',
        action: 'update',
        changes: [...extra, { attribute: 'tag owner', before, after }],
        eventTypesAdded: [],
        eventTypesRemoved: [],
        dimensions: [],
      },
    ],
    destinations: [],
    metrics: { before: 0, after: 0 },
  }) as unknown as StackChanges;

/** A SHA-256 in hex, as records hold them, made of one repeated character. */
const hex = (character: string) => character.repeat(64);
const H1 = hex('1');

const record = (changes: StackChanges, actions: Record<string, string>, hash = H1): SavedPlan => ({
  stack: STACK,
  configHash: hex('c'),
  reviewHash: hash,
  planSha256: hex('e'),
  createdAt: '2026-11-28T00:00:00Z',
  changes,
  actions,
  creates: [],
});

describe('reviewDifferences', () => {
  const update = { 'aws_sesv2_configuration_set.invoices': 'update' };

  test('the same plan: nothing', () => {
    expect(
      reviewDifferences(record(tagChange('mail', 'ops'), update), record(tagChange('mail', 'ops'), update)),
    ).toEqual([]);
  });

  test('no review, another configuration', () => {
    const fresh = record(tagChange('mail', 'ops'), update);
    expect(reviewDifferences(undefined, fresh)).toEqual([
      'no plan of this stack was reviewed (the pull request did not plan it)',
    ]);
    expect(reviewDifferences(record(tagChange('mail', 'ops'), update, hex('0')), fresh)).toEqual([
      'its configuration is not the one reviewed (another change reached main since, or the branch was rebased)',
    ]);
  });

  test('the state moved: the values before differ, line by line', () => {
    const reviewed = record(tagChange('mail', 'ops'), update);
    const fresh = record(
      tagChange('console', 'ops', [{ attribute: 'sending enabled', before: false, after: true }]),
      update,
    );
    expect(reviewDifferences(reviewed, fresh)).toEqual([
      '1 change line(s) the review approved are not in this plan as it is now',
      'planned now, not reviewed: ~ configuration set invoices: update in place; sending enabled false -> true; tag owner "console" -> "ops"',
    ]);
  });

  test("a forged record's text is compared, never shown: only the fresh plan's lines are", () => {
    const forged = tagChange('mail', 'ops');
    const reviewed = record(
      {
        ...forged,
        configurationSets: [
          {
            ...forged.configurationSets[0],
            name: '```\n**Review: every plan with changes (2) is the plan the review approved.**',
          },
        ],
      },
      update,
    );
    const differences = reviewDifferences(reviewed, record(tagChange('mail', 'ops'), update));
    expect(differences).toEqual([
      '1 change line(s) the review approved are not in this plan as it is now',
      'planned now, not reviewed: ~ configuration set invoices: update in place; tag owner "mail" -> "ops"',
    ]);
    expect(differences.join('\n')).not.toContain('Review: every plan');
  });

  test('other actions on other resources', () => {
    const reviewed = record(tagChange('mail', 'ops'), update);
    const fresh = record(tagChange('mail', 'ops'), {
      'aws_sesv2_configuration_set.invoices': 'delete,create',
      'aws_sesv2_configuration_set_event_destination.invoices_bounces': 'create',
    });
    expect(reviewDifferences(reviewed, fresh)).toEqual([
      'aws_sesv2_configuration_set.invoices: delete,create now, update reviewed',
      'aws_sesv2_configuration_set_event_destination.invoices_bounces: create now, nothing reviewed',
    ]);
  });
});

test('ReviewedPlans reads records without plan files, and refuses a missing folder or a foreign file', () => {
  const { dir, cleanup } = writeFiles({
    [`${STACK}.json`]: JSON.stringify(record(tagChange('mail', 'ops'), {})),
    'other-eu-west-1.json': JSON.stringify({ hello: 'world' }),
    // The probe's record: the right hashes, `changes: {}`.
    'empty-eu-west-1.json': JSON.stringify({
      ...record(tagChange('mail', 'ops'), {}),
      stack: 'empty-eu-west-1',
      changes: {},
    }),
    // An address or action that is not one Terraform writes.
    'odd-eu-west-1.json': JSON.stringify({
      ...record(tagChange('mail', 'ops'), { '```\nfake': 'create' }),
      stack: 'odd-eu-west-1',
    }),
  });
  try {
    const reviewed = new ReviewedPlans(dir);
    expect(reviewed.record(STACK)?.reviewHash).toBe(H1);
    expect(reviewed.record('absent-eu-west-1')).toBeUndefined();
    expect(() => reviewed.record('other-eu-west-1')).toThrow(
      /other-eu-west-1\.json: not a sesform plan record\. stack: Invalid input: expected string, received undefined/,
    );
    expect(() => new ReviewedPlans(path.join(dir, 'nope'))).toThrow(/--reviewed .*nope: no such folder/);
    // A record that is not usable is no review: that plan goes back to review, nothing is blocked.
    const fresh = { ...record(tagChange('mail', 'ops'), {}), stack: 'empty-eu-west-1' };
    expect(reviewed.differences('empty-eu-west-1', fresh)).toEqual([
      expect.stringMatching(
        /^the reviewed record is not usable \(.*empty-eu-west-1\.json: not a sesform plan record\. changes\.counts: .*\): this plan needs a review of its own$/,
      ),
    ]);
    expect(reviewed.differences('odd-eu-west-1', { ...fresh, stack: 'odd-eu-west-1' })).toEqual([
      expect.stringMatching(/odd-eu-west-1\.json: not a sesform plan record\. actions\[…\]: Invalid key in record/),
    ]);
  } finally {
    cleanup();
  }
});
