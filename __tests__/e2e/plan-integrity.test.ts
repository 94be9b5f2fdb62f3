/**
 * The reviewed plan is the applied plan: a saved plan file swapped for another (here one that destroys
 * a protected set) is refused before anything is applied, whether or not its record was edited to
 * match. Real Terraform on the emulator.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '730000000001';
const STACK = 'guarded-eu-west-1';
const guarded = (setLines: string) =>
  environmentYaml('guarded', ACCOUNT, `protect: true\nconfigurationSets:\n${setLines}`);
const withSet = (owner: string) => guarded(`  - name: keep\n    tags: { owner: ${owner} }\n`);

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start({ 'guarded.yaml': withSet('mail') });
  expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
});

afterAll(async () => {
  await fixture?.stop();
});

/** Plans an edited copy of the environment (without the protected set) into a plans folder of its own. */
async function planWithoutTheSet(): Promise<string> {
  const environments = path.join(fixture.root, 'copy-environments');
  const plans = path.join(fixture.root, 'copy-plans');
  fs.mkdirSync(environments, { recursive: true });
  fs.writeFileSync(
    path.join(environments, 'guarded.yaml'),
    environmentYaml('guarded', ACCOUNT, 'protect: true\nconfigurationSets: []\n'),
  );
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

test('a plan file swapped for one that destroys a protected set is refused, and nothing is applied', async () => {
  // The reviewed plan: one tag changed.
  fixture.write('guarded.yaml', withSet('platform'));
  const reviewed = await fixture.run(['plan', '--all']);
  expect(reviewed.code).toBe(2);
  expect(reviewed.stdout).toContain('tag owner "mail" -> "platform"');

  fs.copyFileSync(await planWithoutTheSet(), path.join(fixture.plans, `${STACK}.tfplan`));
  const applied = await fixture.run(['apply', '--all']);
  expect(applied.code).toBe(1);
  expect(applied.stdout).toContain('the saved plan file is not the one its record describes');
  expect(applied.stdout).toContain('nothing was applied');
  expect(await fixture.setNames(ACCOUNT)).toEqual(['keep']);
});

test("with its record edited to the swapped file's hash, Terraform's own reading of the file still refuses it", async () => {
  const swapped = await planWithoutTheSet();
  fixture.write('guarded.yaml', withSet('platform'));
  expect((await fixture.run(['plan', '--all'])).code).toBe(2);
  fs.copyFileSync(swapped, path.join(fixture.plans, `${STACK}.tfplan`));
  const recordFile = path.join(fixture.plans, `${STACK}.json`);
  const record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
  const { createHash } = await import('node:crypto');
  record.planSha256 = createHash('sha256').update(fs.readFileSync(swapped)).digest('hex');
  fs.writeFileSync(recordFile, JSON.stringify(record));

  const applied = await fixture.run(['apply', '--all']);
  expect(applied.code).toBe(1);
  expect(applied.stdout).toContain('the saved plan file does not do what its record says');
  expect(applied.stdout).toMatch(/aws_sesv2_configuration_set\.keep_\w+: delete in the file, update in the record/);
  expect(await fixture.setNames(ACCOUNT)).toEqual(['keep']);
});

test('the reviewed plan, untouched, applies', async () => {
  fixture.write('guarded.yaml', withSet('platform'));
  expect((await fixture.run(['plan', '--all'])).code).toBe(2);
  const applied = await fixture.run(['apply', '--all']);
  expect(applied.code).toBe(0);
  expect(await fixture.setNames(ACCOUNT)).toEqual(['keep']);
});
