/**
 * What reaches the accounts after merge is the plan the pull request reviewed. The commands of the
 * shipped workflows (helpers/review-pipeline.ts) run here in their order, each job in its own folder,
 * artifacts passed between them as folders keyed as the workflows key them. Real Terraform and the
 * real provider on the emulator. How a fresh plan is compared with the reviewed one (a moved state, a
 * configuration no pull request planned, plan roles against deploy roles) is unit-tested
 * (unit/review.test.ts, unit/engine-decisions.test.ts). Each test starts from the declared state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  GetConfigurationSetCommand,
  ListTagsForResourceCommand,
  PutConfigurationSetSendingOptionsCommand,
} from '@aws-sdk/client-sesv2';
import { EngineFixture } from '../helpers/engine-fixture';
import { PULL_REQUEST, ROLLOUT, SHARDS } from '../helpers/review-pipeline';
import { environmentYaml } from '../helpers/synth';
import type { RunReport } from '../../src/report/run-report';

jest.setTimeout(600_000);

const DEV = '730000000021';
const PROD = '730000000022';
const environment = (name: string, account: string, wave: number, owner: string) =>
  environmentYaml(
    name,
    account,
    `wave: ${wave}
planRole: { arn: "arn:aws:iam::${account}:role/ses-plan" }
configurationSets:
  - name: mail
    tags: { owner: ${owner} }
    eventDestinations:
      - name: bounces
        eventTypes: [BOUNCE]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: none, expectedValues: 3 }
`,
  );

let fixture: EngineFixture;
/** Artifacts kept between workflow runs, by name (GitHub's artifact store). */
let artifacts: string;

const BASELINE = {
  'dev.yaml': environment('dev', DEV, 0, 'mail'),
  'prod.yaml': environment('prod', PROD, 1, 'mail'),
};

beforeAll(async () => {
  fixture = await EngineFixture.start(BASELINE);
  artifacts = path.join(fixture.root, 'artifacts');
});

// Every test starts from the accounts as the baseline files declare them, whatever ran before it.
beforeEach(async () => {
  for (const [name, content] of Object.entries(BASELINE)) fixture.write(name, content);
  fs.rmSync(artifacts, { recursive: true, force: true });
  expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
});

afterAll(async () => {
  await fixture?.stop();
});

let jobs = 0;
/** A job's working folder (its own checkout). */
function jobFolder(name: string): string {
  const dir = path.join(fixture.root, 'jobs', `${++jobs}-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs a workflow's sesform command line in a job folder: its files and folders are the job's. */
async function inJob(dir: string, argv: readonly string[]) {
  const local = (value: string) => path.join(dir, value);
  const withFiles = argv.flatMap((arg, index) => {
    const option = argv[index - 1];
    if (['--plans', '--reviewed', '--markdown', '--html'].includes(option)) return [local(arg)];
    if (arg.endsWith('.json') && !arg.startsWith('--')) {
      // The shell's glob, for report --merge plan-*.json.
      const pattern = new RegExp(`^${arg.replace('.', '\\.').replace('*', '.*')}$`);
      return fs
        .readdirSync(dir)
        .filter((file) => pattern.test(file))
        .map(local);
    }
    return [arg];
  });
  const plans = withFiles[withFiles.indexOf('--plans') + 1];
  return fixture.run(withFiles, withFiles.includes('--plans') ? { plans } : {});
}

/** actions/upload-artifact: the records (*.json) of a folder under a name. */
function upload(name: string, from: string): void {
  const into = path.join(artifacts, name);
  fs.mkdirSync(into, { recursive: true });
  for (const file of fs.readdirSync(from).filter((each) => each.endsWith('.json')))
    fs.copyFileSync(path.join(from, file), path.join(into, file));
}

/** actions/download-artifact (or gh run download): false when no artifact has that name. */
function download(name: string, into: string): boolean {
  fs.mkdirSync(into, { recursive: true });
  const from = path.join(artifacts, name);
  if (!fs.existsSync(from)) return false;
  for (const file of fs.readdirSync(from)) fs.copyFileSync(path.join(from, file), path.join(into, file));
  return true;
}

const fingerprintOf = (run: { code: number; stdout: string }) => {
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { fingerprint: string }).fingerprint;
};

/** sesform-plan.yml on a pull request: the review's plans kept under the configuration's fingerprint. */
async function pullRequestWorkflow(): Promise<{ fingerprint: string; comment: string }> {
  const validate = jobFolder('pr-validate');
  const fingerprint = fingerprintOf(await inJob(validate, PULL_REQUEST.fingerprint));
  const comment = jobFolder('pr-comment');
  for (let shard = 1; shard <= SHARDS; shard++) {
    const plan = jobFolder(`pr-plan-${shard}`);
    const run = await inJob(plan, PULL_REQUEST.plan(shard));
    expect([0, 2]).toContain(run.code);
    fs.writeFileSync(path.join(comment, `plan-${shard}.json`), run.stdout);
    upload(`reviewed-plans-${shard}`, path.join(plan, 'reviewed'));
  }
  for (let shard = 1; shard <= SHARDS; shard++) download(`reviewed-plans-${shard}`, path.join(comment, 'reviewed'));
  const merged = await inJob(comment, PULL_REQUEST.merge);
  expect(merged.code).toBe(2);
  upload(`sesform-reviewed-${fingerprint}`, path.join(comment, 'reviewed'));
  return { fingerprint, comment: fs.readFileSync(path.join(comment, 'plan.md'), 'utf8') };
}

interface RolloutRun {
  readonly found: boolean;
  readonly review: RunReport;
  readonly differs: number;
  readonly reviewMarkdown: string;
  readonly waves: { code: number; stdout: string }[];
}

/** sesform-rollout.yml after merge: the review job, then each wave with the approved plans. */
async function rolloutWorkflow({ beforeWave }: { beforeWave?: (wave: number) => Promise<void> } = {}) {
  const review = jobFolder('rollout-review');
  const fingerprint = fingerprintOf(await inJob(review, ROLLOUT.fingerprint));
  const found = download(`sesform-reviewed-${fingerprint}`, path.join(review, 'reviewed'));
  const check = await inJob(review, ROLLOUT.check);
  expect([0, 2]).toContain(check.code);
  fs.writeFileSync(path.join(review, 'review.json'), check.stdout);
  expect((await inJob(review, ROLLOUT.show)).code).toBe(check.code);
  const report = JSON.parse(check.stdout) as RunReport;
  // The workflow's jq: stacks whose plan is not the reviewed one.
  const differs = report.stacks.filter((stack) => (stack.review?.differences.length ?? 0) > 0).length;
  upload('approved-plans', path.join(review, 'approved'));
  const waves: RolloutRun['waves'] = [];
  for (const wave of [0, 1]) {
    await beforeWave?.(wave);
    const job = jobFolder(`rollout-wave-${wave}`);
    download('approved-plans', path.join(job, 'approved'));
    const run = await inJob(job, ROLLOUT.wave(wave));
    waves.push(run);
    if (run.code !== 0) break;
  }
  fs.rmSync(path.join(artifacts, 'approved-plans'), { recursive: true });
  return {
    found,
    review: report,
    differs,
    reviewMarkdown: fs.readFileSync(path.join(review, 'review.md'), 'utf8'),
    waves,
  } satisfies RolloutRun;
}

const mailSet = async (account: string) =>
  (await fixture.ses(account)).send(new GetConfigurationSetCommand({ ConfigurationSetName: 'mail' }));
const owner = async (account: string) =>
  (
    await (
      await fixture.ses(account)
    ).send(new ListTagsForResourceCommand({ ResourceArn: `arn:aws:ses:eu-west-1:${account}:configuration-set/mail` }))
  ).Tags?.find((tag) => tag.Key === 'owner')?.Value;
const sendingEnabled = async (account: string) => (await mailSet(account)).SendingOptions?.SendingEnabled;

/** A change made in the console, outside any review. */
async function pauseSending(account: string): Promise<void> {
  await (
    await fixture.ses(account)
  ).send(new PutConfigurationSetSendingOptionsCommand({ ConfigurationSetName: 'mail', SendingEnabled: false }));
}

test('the reviewed plans are found by the merged configuration and applied, wave by wave', async () => {
  fixture.write('dev.yaml', environment('dev', DEV, 0, 'platform'));
  fixture.write('prod.yaml', environment('prod', PROD, 1, 'platform'));
  const pr = await pullRequestWorkflow();
  expect(pr.comment).toContain('tag owner "mail" -> "platform"');

  // Merged as reviewed: the same configuration, the same accounts.
  const rollout = await rolloutWorkflow();
  expect(rollout.found).toBe(true);
  expect(rollout.differs).toBe(0);
  expect(rollout.reviewMarkdown).toContain('Review: every plan with changes (2) is the plan the review approved.');
  expect(rollout.waves.map((wave) => wave.code)).toEqual([0, 0]);
  expect(rollout.waves[1].stdout).toContain('reviewed: the same plan as the review approved');
  expect([await owner(DEV), await owner(PROD)]).toEqual(['platform', 'platform']);
});

test('a plan that moves after approval is refused in its wave: nothing applied, the new plan shown', async () => {
  fixture.write('prod.yaml', environment('prod', PROD, 1, 'billing'));
  await pullRequestWorkflow();
  const rollout = await rolloutWorkflow({
    beforeWave: async (wave) => {
      if (wave === 1) await pauseSending(PROD);
    },
  });
  expect(rollout.differs).toBe(0);
  const [, prodWave] = rollout.waves;
  expect(prodWave.code).toBe(3);
  expect(prodWave.stdout).toContain('REFUSED: prod-eu-west-1: not the plan reviewed:');
  expect(prodWave.stdout).toContain(
    'planned now, not reviewed: ~ configuration set mail: update in place; sending enabled false -> true',
  );
  expect(prodWave.stdout).toContain('Some plans are not the ones reviewed, so nothing was applied.');
  expect([await owner(PROD), await sendingEnabled(PROD)]).toEqual(['mail', false]);
});
