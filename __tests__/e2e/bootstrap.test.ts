/**
 * A fresh emulated account bootstrapped (state bucket, deploy role, plan role), then a first rollout
 * into it that keeps its state in the new bucket, and a read-only drift through the plan role. The emulator serves HTTPS here: the bucket's policy
 * refuses anything else, which the emulator enforces.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { deployRolePolicy, planRolePolicy } from '../../src/bootstrap/role-policies';
import { commandOptions, main } from '../../src/cli';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import { loadEnvironments } from '../../src/fleet/loader';
import { emulatorClientConfig, localTarget } from '../../src/local/local-target';
import { LocalStacks } from '../helpers/local-stacks';
import { environmentYaml, writeFiles } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '101010101010';
const PIPELINE = 'arn:aws:iam::999900000000:role/ses-pipeline';
const PLAN_PIPELINE = 'arn:aws:iam::999900000000:role/ses-pipeline-plan';

let emulator: Emulator;
let files: ReturnType<typeof writeFiles>;

beforeAll(async () => {
  emulator = await startEmulator({ tls: true });
  files = writeFiles({
    'fresh.yaml': environmentYaml(
      'fresh',
      ACCOUNT,
      `configurationSets:
  - name: receipts
    eventDestinations:
      - name: bounces
        eventTypes: [bounce]
        cloudWatch:
          dimensions: [{ name: ses:configuration-set, source: messageTag, defaultValue: receipts }]
`,
    )
      .replace('stateBackend: { bucket: "state-{accountId}",', 'stateBackend: { bucket: fresh-account-state,')
      .replace(
        `role/ses-deploy\n`,
        `role/ses-deploy\n  trustedPrincipal: ${PIPELINE}\n  externalId: fresh-pipeline\nplanRole:\n  arn: arn:aws:iam::${ACCOUNT}:role/ses-plan\n  trustedPrincipal: ${PLAN_PIPELINE}\n`,
      ),
  });
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  files?.cleanup();
});

async function sesform(...argv: string[]) {
  const out = new PassThrough();
  let output = '';
  out.on('data', (chunk) => (output += chunk));
  // iam-policy reads files only: it takes no --local.
  const local = commandOptions(argv[0]).includes('local') ? ['--local', '--endpoint', emulator.endpoint] : [];
  const code = await main([...argv, '--environments', files.dir, ...local], out, out);
  return { code, output };
}

function clientConfig() {
  return emulatorClientConfig(localTarget(emulator.endpoint, '0'));
}

/** Admin credentials inside the fresh account. */
async function adminCredentials() {
  const sts = new STSClient({ ...clientConfig(), region: 'eu-west-1' });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'auditor',
    }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken,
  };
}

test('the deploy role policy names no wildcard action and only this environment’s resources (and the set list drift reads)', async () => {
  const { code, output } = await sesform('iam-policy', '--env', 'fresh');
  expect(code).toBe(0);
  const policy = JSON.parse(output).roles.find((role: { kind: string }) => role.kind === 'deploy').policy;
  const actions: string[] = policy.Statement.flatMap((statement: { Action: string[] }) => statement.Action);
  expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  expect(policy.Statement.flatMap((statement: { Resource: string[] }) => statement.Resource)).toEqual([
    `arn:aws:ses:eu-west-1:${ACCOUNT}:configuration-set/receipts`,
    '*', // ses:ListConfigurationSets only: a list action has no resource type
    'arn:aws:s3:::fresh-account-state',
    'arn:aws:s3:::fresh-account-state/ses/fresh/eu-west-1/terraform.tfstate',
    'arn:aws:s3:::fresh-account-state/ses/fresh/eu-west-1/terraform.tfstate.tflock',
  ]);
});

// One journey (so it runs alone): the first rollout needs the bucket bootstrap created.
test('bootstrap plans first (exit 2), then creates a private, versioned, encrypted, TLS-only bucket, the deploy and plan roles; the first rollout keeps its state there', async () => {
  {
    // 1. bootstrap plans first (exit 2), then creates a private, versioned, encrypted, TLS-only bucket, the deploy role and the plan role.
    const planned = await sesform('bootstrap', '--env', 'fresh');
    expect(planned.code).toBe(2);
    expect(planned.output).toMatch(/^bootstrap-101010101010: 10 to add, 0 to change, 0 to destroy$/m);
    // What a reviewer approves, in words, before Terraform's resource list.
    expect(planned.output).toContain(
      '  state bucket fresh-account-state in eu-west-1: created, never destroyed by Terraform (prevent_destroy)',
    );
    expect(planned.output).toContain(
      '    access: public access blocked (all four settings); a bucket policy denies every request not made over TLS',
    );
    expect(planned.output).toMatch(/^ {4}trusted: only \S+ with the external ID may assume it$/m);
    const applied = await sesform('bootstrap', '--env', 'fresh', '--auto-approve');
    expect(applied.code).toBe(0);
    expect(applied.output).toContain('bootstrap-101010101010: Resources: 10 added, 0 changed, 0 destroyed.');

    const credentials = await adminCredentials();
    const s3 = new S3Client({ ...clientConfig(), region: 'eu-west-1', forcePathStyle: true, credentials });
    const Bucket = 'fresh-account-state';
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    expect(
      (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0]
        .ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const bucketPolicy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!);
    expect(bucketPolicy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const [rule] = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules!;
    expect(rule).toMatchObject({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } });

    const iam = new IAMClient({ ...clientConfig(), region: 'us-east-1', credentials });
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'ses-deploy' }));
    expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: PIPELINE },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'fresh-pipeline' } },
        },
      ],
    });
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'ses-deploy', PolicyName: 'sesform-deploy' }));
    const { fleet } = loadEnvironments(files.dir);
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!))).toEqual(deployRolePolicy(fleet.stacks));
    const planRole = (await iam.send(new GetRoleCommand({ RoleName: 'ses-plan' }))).Role!;
    expect(JSON.parse(decodeURIComponent(planRole.AssumeRolePolicyDocument!)).Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: PLAN_PIPELINE }, Action: 'sts:AssumeRole' },
    ]);
    const planInline = await iam.send(new GetRolePolicyCommand({ RoleName: 'ses-plan', PolicyName: 'sesform-plan' }));
    expect(JSON.parse(decodeURIComponent(planInline.PolicyDocument!))).toEqual(planRolePolicy(fleet.stacks));
    s3.destroy();
    iam.destroy();

    // Bootstrapped already: nothing left to do.
    expect((await sesform('bootstrap', '--env', 'fresh')).output).toMatch(/^bootstrap-101010101010: no changes$/m);
  }
  {
    // 2. the first rollout into the bootstrapped account keeps its state in the new bucket.
    const local = await LocalStacks.start(files.dir, emulator);
    try {
      const stack = local.workspace('fresh-eu-west-1');
      await stack.init();
      const applied = await stack.apply();
      // The set, its destination, and the stack's record of metric estimates.
      expect(applied).toContain('Resources: 3 added, 0 changed, 0 destroyed.');
      expect((await stack.plan()).changes).toBe(false);
      expect(await local.setNames(ACCOUNT, 'eu-west-1')).toEqual(['receipts']);
      const s3 = new S3Client({
        ...clientConfig(),
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: await adminCredentials(),
      });
      const state = await s3.send(
        new GetObjectCommand({ Bucket: 'fresh-account-state', Key: 'ses/fresh/eu-west-1/terraform.tfstate' }),
      );
      expect(JSON.parse(await state.Body!.transformToString()).resources.length).toBe(3);
      s3.destroy();
      // Plans on pull requests and drift reach the new account through its plan role, state included.
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-bootstrap-drift-'));
      const drift = await sesform('drift', '--env', 'fresh', '--read-only', '--output', outdir);
      fs.rmSync(outdir, { recursive: true, force: true });
      expect(drift).toMatchObject({
        code: 0,
        output: expect.stringContaining('(read-only: plan roles): 1 stack(s): 1 in-sync'),
      });
    } finally {
      await local.stop();
    }
  }
});
