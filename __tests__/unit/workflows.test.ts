/**
 * The shipped GitHub Actions workflows: every sesform invocation in them is a valid command line,
 * and they keep their promises (plan on pull requests, prod behind an approval, drift on a schedule,
 * credentials from OIDC only, pull-request code never holding a role that can write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { iamRoles } from '../../src/bootstrap/iam-roles';
import { invocationProblems } from '../../src/cli';
import { loadEnvironments } from '../../src/fleet/loader';
import { PROJECT_ROOT } from '../helpers/synth';
import { PULL_REQUEST, ROLLOUT, SHARDS } from '../helpers/review-pipeline';

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  environment?: string;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS_DIR = path.join(PROJECT_ROOT, '.github', 'workflows');
const workflows: Record<string, Workflow> = Object.fromEntries(
  fs
    .readdirSync(WORKFLOWS_DIR)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => [file, parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as Workflow]),
);

/** Shell words of one command, up to the first redirection, pipe or list operator. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = match[1] ?? match[2] ?? match[3];
    if (match[3] !== undefined && /^(>|>>|\||\|\||&&|;|2>&1)$/.test(word)) break;
    words.push(word);
  }
  return words;
}

/** Every `sesform` command line in a job's run steps, with its matrix values filled in. */
function invocations(job: Job): string[][] {
  const matrix = job.strategy?.matrix ?? {};
  const fill = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      const key = /^matrix\.(\w+)$/.exec(expression)?.[1];
      return key !== undefined ? String(matrix[key][0]) : 'EXPRESSION';
    });
  return job.steps
    .flatMap((step) => (step.run ? fill(step.run).replace(/\\\n/g, ' ').split('\n') : []))
    .flatMap((line) => line.split(/&&|\|\||;/))
    .map((command) => /^\s*(?:npx\s+)?sesform\s+(.*)$/.exec(command)?.[1])
    .filter((rest): rest is string => rest !== undefined)
    .map(shellWords);
}

const allInvocations = Object.entries(workflows).flatMap(([file, workflow]) =>
  Object.entries(workflow.jobs).flatMap(([name, job]) =>
    invocations(job).map((argv) => ({ where: `${file} ${name}`, argv })),
  ),
);

test('the workflows run sesform', () => {
  expect(Object.keys(workflows).sort()).toEqual(['sesform-drift.yml', 'sesform-plan.yml', 'sesform-rollout.yml']);
  expect(new Set(allInvocations.map(({ argv }) => argv[0]))).toEqual(
    new Set(['validate', 'cost', 'synth', 'plan', 'report', 'rollout', 'drift']),
  );
});

test.each(allInvocations.map(({ where, argv }) => [where, argv.join(' '), argv]))(
  '%s: sesform %s is a valid command line',
  (_where, _text, argv) => {
    expect(invocationProblems(argv as string[])).toEqual([]);
  },
);

test('invocationProblems finds what would stop a command', () => {
  expect(invocationProblems(['plna', '--all'])).toEqual(['unknown command "plna". Did you mean "plan"?']);
  expect(invocationProblems(['plan'])).toEqual([
    'plan needs the environments to work on: --env NAME (repeatable) or --all, not both.',
  ]);
  expect(invocationProblems(['drift', '--all', '--shard', '1of2'])).toEqual([
    '--shard 1of2: expected I/N with 1 <= I <= N <= 1000, e.g. --shard 2/4.',
  ]);
  expect(invocationProblems(['rollout', '--all', '--auto-aprove'])[0]).toMatch(
    /^--auto-aprove is not an option of rollout\. Did you mean "auto-approve"\?/,
  );
  expect(invocationProblems(['apply', '--all', '--wave', 'prod'])).toEqual([
    '--wave prod: expected a wave number from 0 to 1000.',
  ]);
  expect(invocationProblems(['report'])).toEqual([
    'report needs the JSON report to read: sesform report FILE, or --merge FILE...',
  ]);
  expect(invocationProblems(['report', 'a.json', 'b.json'])).toEqual([
    'report got 2 reports: combine them with --merge, or give one to print it again.',
  ]);
  expect(invocationProblems(['report', '--merge', 'a.json', 'b.json'])).toEqual([]);
});

test('plan runs on pull requests, comments the merged report and keeps the reviewed plans by fingerprint', () => {
  const plan = workflows['sesform-plan.yml'];
  expect(Object.keys(plan.on)).toEqual(['pull_request']);
  expect(plan.permissions).toMatchObject({ 'pull-requests': 'write', 'id-token': 'write' });
  // The commands the end-to-end test (review-to-apply) runs, in the jobs that run them.
  expect(invocations(plan.jobs.validate)).toContainEqual(PULL_REQUEST.fingerprint);
  expect(invocations(plan.jobs.plan)).toEqual([PULL_REQUEST.plan(1)]);
  expect(plan.jobs.plan.strategy?.matrix?.shard).toHaveLength(SHARDS);
  expect(invocations(plan.jobs.comment)).toEqual([PULL_REQUEST.merge]);
  expect(plan.jobs.comment.steps.some((step) => step.run?.includes('gh pr comment'))).toBe(true);
  // Each shard's records go up; the comment job keeps them all under the configuration's fingerprint.
  expect(uploads(plan.jobs.plan)).toContainEqual({
    name: 'reviewed-plans-${{ matrix.shard }}',
    path: 'reviewed/*.json',
  });
  expect(uploads(plan.jobs.comment)).toContainEqual({
    name: 'sesform-reviewed-${{ needs.validate.outputs.fingerprint }}',
    path: 'reviewed/*.json',
  });
});

test('rollout finds the reviewed plans by the merged fingerprint, shows new plans before the waves, applies only approved plans', () => {
  const rollout = workflows['sesform-rollout.yml'];
  const review = rollout.jobs.review;
  expect(invocations(review)).toEqual([ROLLOUT.fingerprint, ROLLOUT.check, ROLLOUT.show]);
  const script = review.steps.map((step) => step.run ?? '').join('\n');
  expect(script).toContain('name="sesform-reviewed-$(jq -r .fingerprint synth.json)"');
  expect(script).toContain('gh run download "$run_id" --name "$name" --dir reviewed');
  // The reviewed records come only from this repository's plan workflow: never a fork's run, never another workflow's.
  expect(script).toContain('select(.workflow_run.head_repository_id == .workflow_run.repository_id)');
  expect(script).toContain('if [ "$path" = ".github/workflows/sesform-plan.yml" ]; then run_id=$candidate; break; fi');
  expect(script).toContain('gh pr comment "$pr" --body-file comment.md');
  expect(script).toContain('>> "$GITHUB_STEP_SUMMARY"');
  expect(uploads(review)).toContainEqual({ name: 'approved-plans', path: 'approved/*.json' });
  for (const name of Object.keys(rollout.jobs).filter((job) => job.startsWith('wave-'))) {
    const job = rollout.jobs[name];
    const downloads = job.steps.filter((step) => step.uses === 'actions/download-artifact@v4');
    expect(downloads.map((step) => step.with)).toEqual([{ name: 'approved-plans', path: 'approved' }]);
    for (const argv of invocations(job)) expect(argv.join(' ')).toContain(ROLLOUT.wave(0).slice(4).join(' '));
  }
  expect(rollout.jobs['wave-0'].needs).toBe('review');
});

test('rollout on main covers every wave in order, prod behind the "production" environment', () => {
  const rollout = workflows['sesform-rollout.yml'];
  expect(rollout.on).toHaveProperty('push', { branches: ['main'], paths: expect.any(Array) });
  const waves = [
    ...new Set(
      loadEnvironments(path.join(PROJECT_ROOT, 'environments')).environments.map(({ environment }) => environment.wave),
    ),
  ].sort();
  for (const wave of waves) {
    const job = rollout.jobs[`wave-${wave}`];
    expect(invocations(job).map((argv) => argv.slice(0, 5))).toEqual([
      ['rollout', '--all', '--wave', String(wave), expect.any(String)],
    ]);
    if (wave > 0) expect(job.needs).toBe(`wave-${wave - 1}`);
  }
  expect(rollout.jobs[`wave-${waves[waves.length - 1]}`].environment).toBe('production');
});

test('drift runs on a schedule and fails on exit 2', () => {
  const drift = workflows['sesform-drift.yml'];
  expect(drift.on).toHaveProperty('schedule', [{ cron: expect.any(String) }]);
  const [step] = drift.jobs.drift.steps.filter((each) => each.run?.includes('sesform drift'));
  // A plain run step: any non-zero exit, 2 included, fails the job.
  expect(step.run).not.toMatch(/set \+e|\|\| true/);
});

test('credentials come from OIDC only: no access keys, a role to assume', () => {
  for (const [file, workflow] of Object.entries(workflows)) {
    const text = fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    expect(workflow.permissions).toMatchObject({ 'id-token': 'write' });
  }
  const setup = fs.readFileSync(path.join(PROJECT_ROOT, '.github', 'actions', 'sesform-setup', 'action.yml'), 'utf8');
  expect(setup).toContain('aws-actions/configure-aws-credentials@v4');
  expect(setup).toContain('role-to-assume: ${{ inputs.role-to-assume }}');
});

/** The artifacts a job uploads: name and path. */
const uploads = (job: Job) =>
  job.steps
    .filter((step) => step.uses === 'actions/upload-artifact@v4')
    .map((step) => ({ name: step.with?.name, path: step.with?.path }));

/** The role a job's setup step assumes, if any. */
const roleOf = (job: Job) =>
  job.steps.find((step) => step.uses === './.github/actions/sesform-setup')?.with?.['role-to-assume'];

const ENGINE_COMMANDS = ['plan', 'apply', 'drift', 'rollout'];
const PLAN_PIPELINE_ROLE = '${{ vars.SESFORM_PLAN_PIPELINE_ROLE_ARN }}';
const ROLLOUT_ROLE = '${{ vars.SESFORM_ROLLOUT_ROLE_ARN }}';

test('each job assumes the role its work needs: read-only for plans and drift, the gated rollout role to write', () => {
  const jobs = Object.entries(workflows).flatMap(([file, workflow]) =>
    Object.entries(workflow.jobs).map(([name, job]) => ({ where: `${file} ${name}`, job })),
  );
  const assumed = jobs.map(({ where, job }) => {
    const commands = invocations(job).filter((argv) => ENGINE_COMMANDS.includes(argv[0]));
    const writes = commands.some((argv) => !argv.includes('--read-only'));
    return [where, roleOf(job) ?? 'none', commands.length === 0 ? 'no AWS work' : writes ? 'writes' : 'read-only'];
  });
  expect(assumed).toEqual([
    ['sesform-drift.yml drift', PLAN_PIPELINE_ROLE, 'read-only'],
    ['sesform-plan.yml validate', 'none', 'no AWS work'],
    ['sesform-plan.yml plan', PLAN_PIPELINE_ROLE, 'read-only'],
    ['sesform-plan.yml comment', 'none', 'no AWS work'],
    ['sesform-rollout.yml review', PLAN_PIPELINE_ROLE, 'read-only'],
    ['sesform-rollout.yml wave-0', ROLLOUT_ROLE, 'writes'],
    ['sesform-rollout.yml wave-1', ROLLOUT_ROLE, 'writes'],
    ['sesform-rollout.yml wave-2', ROLLOUT_ROLE, 'writes'],
    ['sesform-rollout.yml prod-report', 'none', 'no AWS work'],
  ]);
  // The rollout role is a variable of each GitHub environment: a job outside one cannot resolve it.
  for (const { job } of jobs) if (roleOf(job) === ROLLOUT_ROLE) expect(job.environment).toEqual(expect.any(String));
});

test("the samples' pipeline roles trust exactly the GitHub jobs that the workflows run with them", () => {
  const fleet = loadEnvironments(path.join(PROJECT_ROOT, 'environments')).fleet;
  const roles = iamRoles(fleet.stacks);
  const rollout = workflows['sesform-rollout.yml'];
  for (const { environment } of fleet.environments) {
    const job = rollout.jobs[`wave-${environment.wave}`];
    const repository = environment.pipeline!.githubRepository;
    // The job that writes to this environment's account runs in the GitHub environment that its
    // pipeline role trusts, and that role may assume this environment's deploy role.
    expect(job.environment).toBe(environment.pipeline!.githubEnvironment);
    const rolloutRole = roles.find(
      (role) => role.kind === 'rollout-pipeline' && role.arn === environment.deployRole.trustedPrincipal,
    )!;
    expect(rolloutRole.githubSubjects).toEqual([`repo:${repository}:environment:${job.environment}`]);
    // ... and only to that job of the rollout workflow as it is on the default branch.
    expect(rolloutRole.githubWorkflows).toEqual([
      `${repository}/.github/workflows/sesform-rollout.yml@refs/heads/main`,
    ]);
    expect(Object.keys(workflows)).toContain('sesform-rollout.yml');
    expect(rolloutRole.policy.Statement[0].Resource).toContain(environment.deployRole.arn);
    // Plans (pull requests) and drift (scheduled, on the default branch) reach only the plan role.
    const planRole = roles.find(
      (role) => role.kind === 'plan-pipeline' && role.arn === environment.planRole!.trustedPrincipal,
    )!;
    expect(planRole.githubSubjects).toEqual([
      `repo:${repository}:pull_request`,
      `repo:${repository}:ref:refs/heads/main`,
    ]);
    expect(planRole.policy.Statement[0].Resource).toEqual(
      fleet.environments.map((each) => each.environment.planRole!.arn),
    );
  }
  expect(Object.keys(workflows['sesform-plan.yml'].on)).toEqual(['pull_request']);
  expect(workflows['sesform-drift.yml'].on).toHaveProperty('schedule');
});

test('every HTML report a job writes is attached to the run as an artifact', () => {
  for (const [file, workflow] of Object.entries(workflows))
    for (const [name, job] of Object.entries(workflow.jobs))
      for (const argv of invocations(job)) {
        const html = argv[argv.indexOf('--html') + 1];
        if (!argv.includes('--html')) continue;
        const uploads = job.steps.filter((step) => step.uses === 'actions/upload-artifact@v4');
        expect([`${file} ${name}`, uploads.some((step) => step.with?.path === html)]).toEqual([
          `${file} ${name}`,
          true,
        ]);
      }
});
