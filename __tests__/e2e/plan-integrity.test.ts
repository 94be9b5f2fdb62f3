/**
 * The reviewed plan is the applied plan: a saved plan file swapped for one planned from another version
 * of the environment file (the same set changed otherwise), with its record edited to match, is
 * refused before anything is applied, by the copy of the configuration Terraform keeps inside the
 * file; a plan made through the read-only plan role is never applied. Real Terraform on the emulator;
 * the checks' decisions are unit-tested (unit/engine-decisions.test.ts). Neither test applies a
 * change, so either runs alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { ListTagsForResourceCommand } from '@aws-sdk/client-sesv2';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '730000000001';
const STACK = 'guarded-eu-west-1';
const PLAN_ROLE = `arn:aws:iam::${ACCOUNT}:role/ses-plan`;
const guarded = (setLines: string) =>
  environmentYaml(
    'guarded',
    ACCOUNT,
    `planRole: { arn: "${PLAN_ROLE}" }\nprotect: true\nconfigurationSets:\n${setLines}`,
  );
const withSet = (owner: string) => guarded(`  - name: keep\n    tags: { owner: ${owner} }\n`);

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start({ 'guarded.yaml': withSet('mail') });
  expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
});

afterAll(async () => {
  await fixture?.stop();
});

/** Plans another version of the environment file into a plans folder of its own; resolves to its plan file. */
async function planFrom(content: string): Promise<string> {
  const environments = path.join(fixture.root, 'copy-environments');
  const plans = path.join(fixture.root, 'copy-plans');
  fs.mkdirSync(environments, { recursive: true });
  fs.writeFileSync(path.join(environments, 'guarded.yaml'), content);
  const [out, err] = [new PassThrough(), new PassThrough()];
  const code = await main(
    [
      'plan',
      '--all',
      '--environments',
      environments,
      '--output',
      fixture.outdir,
      '--plans',
      plans,
      '--local',
      '--endpoint',
      fixture.emulator.endpoint,
    ],
    out,
    err,
  );
  expect(code).toBe(2);
  return path.join(plans, `${STACK}.tfplan`);
}

test('a plan file made from another environment file, changing the same set, is refused with its hash in the record: nothing applied', async () => {
  // The reviewed plan changes one tag; the swapped-in one (same set, same action) changes it otherwise.
  fixture.write('guarded.yaml', withSet('platform'));
  expect((await fixture.run(['plan', '--all'])).code).toBe(2);
  const swapped = await planFrom(withSet('attacker'));
  fs.copyFileSync(swapped, path.join(fixture.plans, `${STACK}.tfplan`));
  const recordFile = path.join(fixture.plans, `${STACK}.json`);
  const record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
  const { createHash } = await import('node:crypto');
  record.planSha256 = createHash('sha256').update(fs.readFileSync(swapped)).digest('hex');
  fs.writeFileSync(recordFile, JSON.stringify(record));

  const applied = await fixture.run(['apply', '--all']);
  expect(applied.code).toBe(1);
  expect(applied.stdout).toContain(
    "the saved plan file was not made from this stack's configuration as synthesized now",
  );
  expect(applied.stdout).not.toContain('attacker');
  const ses = await fixture.ses(ACCOUNT);
  const { Tags } = await ses.send(
    new ListTagsForResourceCommand({ ResourceArn: `arn:aws:ses:eu-west-1:${ACCOUNT}:configuration-set/keep` }),
  );
  expect(Tags?.find((tag) => tag.Key === 'owner')?.Value).toBe('mail');
});

test('a plan made with --read-only goes through the plan role, shows the changes, and apply refuses it', async () => {
  fixture.write('guarded.yaml', withSet('platform'));
  const readOnly = await fixture.run(['plan', '--all', '--read-only']);
  expect(readOnly.code).toBe(2);
  expect(readOnly.stdout).toMatch(/^sesform plan \(local emulator\) \(read-only: plan roles\): 1 stack/);
  expect(readOnly.stdout).toContain('tag owner "mail" -> "platform"');
  // What terraform ran with: the provider and the state backend both assumed the plan role.
  const synthesized = JSON.parse(fs.readFileSync(path.join(fixture.outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8'));
  expect(synthesized.provider.aws[0].assume_role[0].role_arn).toBe(PLAN_ROLE);
  expect(synthesized.terraform.backend.s3.assume_role.role_arn).toBe(PLAN_ROLE);

  const applied = await fixture.run(['apply', '--all']);
  expect(applied.code).toBe(1);
  expect(applied.stdout).toContain('the saved plan was made with --read-only');
  // Nothing was applied: the account still matches the file as rolled out.
  fixture.write('guarded.yaml', withSet('mail'));
  expect((await fixture.run(['drift', '--all', '--read-only'])).stdout).toContain('1 in-sync');
});
