/** scripts/compare-synth.js, which the CDK Terrain check (scripts/cdktn-check.sh) trusts to find every difference. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT, writeFiles } from '../helpers/synth';

const stack = (overrides: { version?: string; source?: string; topic?: string; cdk?: string } = {}) =>
  JSON.stringify(
    {
      '//': { metadata: { version: overrides.cdk ?? '0.21.0', stackName: 'dev-eu-west-1' } },
      terraform: {
        required_providers: { aws: { source: overrides.source ?? 'aws', version: overrides.version ?? '6.25.0' } },
      },
      resource: { aws_sns_topic: { feed: { name: overrides.topic ?? 'ses-feed' } } },
    },
    null,
    2,
  );

function compare(files: Record<string, string>) {
  const { dir, cleanup } = writeFiles(files);
  try {
    const run = spawnSync(
      process.execPath,
      [path.join(PROJECT_ROOT, 'scripts/compare-synth.js'), path.join(dir, 'a.out'), path.join(dir, 'b.out')],
      { encoding: 'utf8' },
    );
    return { code: run.status, output: run.stdout };
  } finally {
    cleanup();
  }
}

test('identical stacks pass, and say so', () => {
  const same = stack();
  expect(
    compare({ 'a.out/stacks/dev-eu-west-1/cdk.tf.json': same, 'b.out/stacks/dev-eu-west-1/cdk.tf.json': same }),
  ).toEqual({ code: 0, output: expect.stringContaining('1 of 1 stacks byte for byte identical') });
});

test('the differences a CDK switch explains pass, each listed with its reason', () => {
  const { code, output } = compare({
    'a.out/stacks/dev-eu-west-1/cdk.tf.json': stack(),
    'b.out/stacks/dev-eu-west-1/cdk.tf.json': stack({ cdk: '0.24.0', source: 'hashicorp/aws', version: '6.64.0' }),
  });
  expect(code).toBe(0);
  expect(output).toContain('//.metadata.version: "0.21.0" -> "0.24.0" (expected: the version of the CDK');
  expect(output).toContain('terraform.required_providers.aws.source: "aws" -> "hashicorp/aws" (expected:');
  expect(output).toContain('terraform.required_providers.aws.version: "6.25.0" -> "6.64.0" (expected:');
});

test('any other difference fails: a changed value, a missing stack, the same JSON written otherwise', () => {
  const changed = compare({
    'a.out/stacks/dev-eu-west-1/cdk.tf.json': stack(),
    'b.out/stacks/dev-eu-west-1/cdk.tf.json': stack({ topic: 'ses-other' }),
  });
  expect(changed.code).toBe(1);
  expect(changed.output).toContain('resource.aws_sns_topic.feed.name: "ses-feed" -> "ses-other" (UNEXPLAINED)');
  const missing = compare({
    'a.out/stacks/dev-eu-west-1/cdk.tf.json': stack(),
    'a.out/stacks/prod-eu-west-1/cdk.tf.json': stack(),
    'b.out/stacks/dev-eu-west-1/cdk.tf.json': stack(),
  });
  expect(missing.code).toBe(1);
  expect(missing.output).toMatch(/stack prod-eu-west-1 is only in .*a\.out/);
  const reformatted = compare({
    'a.out/stacks/dev-eu-west-1/cdk.tf.json': stack(),
    'b.out/stacks/dev-eu-west-1/cdk.tf.json': JSON.stringify(JSON.parse(stack())),
  });
  expect(reformatted.code).toBe(1);
  expect(reformatted.output).toContain('same JSON, other formatting (UNEXPLAINED)');
});
