/**
 * Read and write stay apart on the way from a GitHub job to an account: the plan role is a second,
 * read-only role in the environment's account; no pipeline role serves two GitHub environments or
 * both plans and a rollout; `--read-only` runs every stack through its plan role or not at all.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { loadEnvironments } from '../../src/fleet/loader';
import { FleetStack, withPlanRole } from '../../src/fleet/fleet';
import { SesEnvironmentStack } from '../../src/stack';
import { environmentYaml, readStack, writeFiles } from '../helpers/synth';
import { App, Testing } from '../../src/cdk/cdk-core';

const pipeline = (name: string) => `arn:aws:iam::999900000000:role/${name}`;

/** One environment file with a deploy role trusting `rollout`, and the given extra YAML. */
function environment(name: string, account: string, rollout: string, extra = ''): string {
  return environmentYaml(name, account, extra).replace(
    `role/ses-deploy\n`,
    `role/ses-deploy\n  trustedPrincipal: ${pipeline(rollout)}\n`,
  );
}
const planRole = (account: string, principal = 'ses-pipeline-plan') =>
  `planRole: { arn: "arn:aws:iam::${account}:role/ses-plan", trustedPrincipal: "${pipeline(principal)}" }\n`;
const gate = (githubEnvironment: string) =>
  `pipeline: { githubRepository: acme/ses, githubEnvironment: ${githubEnvironment} }\n`;

/** The problems of one environment "dev" in account 111111111111 with the given extra YAML. */
const devProblems = (extra: string, rollout = 'ses-pipeline-dev') =>
  problemsOf({ 'dev.yaml': environment('dev', '111111111111', rollout, extra) });

function problemsOf(files: Record<string, string>): string[] {
  const folder = writeFiles(files);
  try {
    return loadEnvironments(folder.dir).problems.map((problem) =>
      `${problem.path}: ${problem.message}`.replaceAll(`${folder.dir}/`, ''),
    );
  } finally {
    folder.cleanup();
  }
}

describe('the plan role in an environment file', () => {
  test('is a separate role in the same account, trusting another principal than the deploy role', () => {
    expect(devProblems(planRole('111111111111'))).toEqual([]);
    expect(devProblems('planRole: { arn: "arn:aws:iam::222222222222:role/ses-plan" }\n')).toEqual([
      "planRole.arn: the plan role is in account 222222222222, but the environment's accountId is 111111111111: plans would read another account.",
    ]);
    expect(devProblems('planRole: { arn: "arn:aws:iam::111111111111:role/ses-deploy" }\n')).toEqual([
      'planRole.arn: the plan role is the deploy role: a plan role must be a separate, read-only role (for example arn:aws:iam::111111111111:role/ses-deploy-plan).',
    ]);
    expect(devProblems(planRole('111111111111', 'ses-pipeline'), 'ses-pipeline')).toEqual([
      'planRole.trustedPrincipal: the plan role and the deploy role trust the same principal, so the pull-request job could assume the deploy role: give the rollout its own pipeline role (one per GitHub environment).',
    ]);
  });

  test('GitHub names that would change the OIDC subject are refused', () => {
    expect(
      devProblems('pipeline: { githubRepository: "acme/ses:environment:prod", githubEnvironment: "*" }\n'),
    ).toEqual([
      'pipeline.githubRepository: "acme/ses:environment:prod" is not a GitHub repository such as "acme/ses-event-publishing".',
      'pipeline.githubEnvironment: "*" is not a usable GitHub environment name: 1 to 255 letters, digits, "_", "." and "-" (it is part of the OIDC subject "repo:OWNER/REPO:environment:NAME").',
    ]);
  });
});

describe('pipeline roles across environments', () => {
  test('one rollout principal for two GitHub environments is refused', () => {
    expect(
      problemsOf({
        'dev.yaml': environment('dev', '111111111111', 'ses-pipeline', gate('dev')),
        'prod.yaml': environment('prod', '333333333333', 'ses-pipeline', gate('production')),
      }),
    ).toEqual([
      `deployRole.trustedPrincipal: ${pipeline('ses-pipeline')} is also the rollout principal of environment "dev" (dev.yaml), which rolls out in GitHub environment dev, not production: either job could write to both accounts. Give each GitHub environment its own pipeline role.`,
    ]);
  });

  test("one GitHub environment's principal for several accounts is fine", () => {
    expect(
      problemsOf({
        'eu.yaml': environment('eu', '111111111111', 'ses-pipeline-production', gate('production')),
        'us.yaml': environment('us', '333333333333', 'ses-pipeline-production', gate('production')),
      }),
    ).toEqual([]);
  });

  test("a plan principal that is another environment's rollout principal is refused", () => {
    expect(
      problemsOf({
        'dev.yaml': environment('dev', '111111111111', 'ses-pipeline-dev', gate('dev')),
        'prod.yaml': environment(
          'prod',
          '333333333333',
          'ses-pipeline-production',
          gate('production') + planRole('333333333333', 'ses-pipeline-dev'),
        ),
      }),
    ).toEqual([
      `planRole.trustedPrincipal: ${pipeline('ses-pipeline-dev')} is the rollout principal of environment "dev" (dev.yaml): the pull-request job that assumes it for plans could write there. Plans need a pipeline role of their own.`,
    ]);
  });
});

describe('--read-only', () => {
  async function run(argv: string[], files: Record<string, string>) {
    const folder = writeFiles(files);
    const [out, err] = [new PassThrough(), new PassThrough()];
    let stdout = '';
    out.on('data', (chunk) => (stdout += chunk));
    try {
      const code = await main([...argv, '--environments', folder.dir], out, err);
      return { code, stdout };
    } finally {
      folder.cleanup();
    }
  }

  test('refuses, before any work, when an environment of the selected waves has no plan role', async () => {
    const files = {
      'dev.yaml': environment('dev', '111111111111', 'ses-pipeline-dev', planRole('111111111111')),
      'prod.yaml': environment('prod', '333333333333', 'ses-pipeline-production', 'wave: 2\n'),
    };
    const result = await run(['plan', '--all', '--read-only'], files);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `prod.yaml: planRole: --read-only plans through each environment's plan role, and environment "prod" declares none`,
    );
    expect(result.stdout).toContain('nothing was run');
    expect((await run(['drift', '--all', '--read-only'], files)).stdout).toContain('nothing was run');
  });

  test('is an option of plan and drift only', async () => {
    for (const command of ['apply', 'rollout']) {
      const result = await run([command, '--all', '--read-only'], {});
      expect(result.code).toBe(1);
    }
  });

  test("puts the plan role in the provider and the state backend, and keeps the stack's name and state key", () => {
    const folder = writeFiles({
      'dev.yaml': environment('dev', '111111111111', 'ses-pipeline-dev', planRole('111111111111')),
    });
    try {
      const [stack] = loadEnvironments(folder.dir).fleet.stacks;
      const synthesize = (fleetStack: FleetStack) =>
        readStack(Testing.synth(new SesEnvironmentStack(new App({ skipValidation: true }), { stack: fleetStack })))
          .parsed;
      const [deploy, plan] = [synthesize(stack), synthesize(withPlanRole(stack)!)];
      const roleOf = (parsed: typeof deploy) => [
        (parsed.provider!.aws[0].assume_role as { role_arn: string }[])[0].role_arn,
        (parsed.terraform.backend!.s3.assume_role as { role_arn: string }).role_arn,
      ];
      expect(roleOf(deploy)).toEqual([
        'arn:aws:iam::111111111111:role/ses-deploy',
        'arn:aws:iam::111111111111:role/ses-deploy',
      ]);
      expect(roleOf(plan)).toEqual([
        'arn:aws:iam::111111111111:role/ses-plan',
        'arn:aws:iam::111111111111:role/ses-plan',
      ]);
      expect((plan.provider!.aws[0].assume_role as { session_name: string }[])[0].session_name).toBe(
        'sesform-dev-plan',
      );
      expect(plan.terraform.backend!.s3.key).toBe(deploy.terraform.backend!.s3.key);
      expect(plan.resource).toEqual(deploy.resource);
    } finally {
      folder.cleanup();
    }
  });
});
