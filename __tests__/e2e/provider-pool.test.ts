/**
 * One AWS provider process per worker for a whole run: stacks of three accounts planned and applied
 * through one pooled process each land in their own account, and a pooled process still refuses a
 * configuration whose credentials reach an account it does not allow. Fresh stack folders after the
 * first are seeded with its provider installation. Real Terraform on the emulator.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';
import { terraformEnvironmentFor } from '../../src/local/local-target';
import { ProviderPool } from '../../src/terraform/provider-server';
import { StackWorkspace } from '../../src/terraform/stack-workspace';
import { TerraformProcesses } from '../../src/terraform/terraform';

jest.setTimeout(600_000);

const ACCOUNTS = { north: '730000000031', south: '730000000032', west: '730000000033' };
const environment = (name: string, account: string) =>
  environmentYaml(name, account, `configurationSets:\n  - name: ${name}-mail\n`);

let fixture: EngineFixture;
const pooledWorkspace = (name: string, env: NodeJS.ProcessEnv, pool: ProviderPool) =>
  new StackWorkspace(name, path.join(fixture.outdir, 'stacks', name), env, {
    processes: new TerraformProcesses(),
    providers: pool,
  });

beforeAll(async () => {
  fixture = await EngineFixture.start(
    Object.fromEntries(Object.entries(ACCOUNTS).map(([name, account]) => [`${name}.yaml`, environment(name, account)])),
  );
});

afterAll(async () => {
  await fixture?.stop();
});

test('three accounts through one pooled provider process: each stack lands in its own account', async () => {
  const run = await fixture.run(['rollout', '--all', '--auto-approve', '--concurrency', '1']);
  expect(run.code).toBe(0);
  // Plan and show of three stacks, then the check of three plan files, then three applies: one process.
  expect(run.stderr).toContain('AWS provider: 1 process(es) served 9 stack step group(s) (reattached)');
  // The first stack's init installs the provider; the two after it are seeded with that installation.
  expect(run.stderr).toContain('init: 2 stack folder(s) seeded with the provider installation of an earlier one');
  for (const [name, account] of Object.entries(ACCOUNTS))
    expect(await fixture.setNames(account)).toEqual([`${name}-mail`]);

  const again = await fixture.run(['plan', '--all', '--concurrency', '2']);
  expect(again.code).toBe(0);
  expect(again.stderr).toContain('AWS provider: 2 process(es) served 3 stack step group(s) (reattached)');
});

test("a pooled process configured for one account still refuses another stack's disallowed account", async () => {
  const env = terraformEnvironmentFor(true);
  const pool = new ProviderPool();
  try {
    const north = pooledWorkspace('north-eu-west-1', env, pool);
    await north.sharingProvider(async (attached) => expect((await attached.plan()).changes).toBe(false));
    // South's provider assumes its role in south's account; allow only north's.
    const southDir = path.join(fixture.outdir, 'stacks', 'south-eu-west-1');
    const configFile = path.join(southDir, 'cdk.tf.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as {
      provider: { aws: { allowed_account_ids: string[] }[] };
    };
    expect(config.provider.aws[0].allowed_account_ids).toEqual([ACCOUNTS.south]);
    config.provider.aws[0].allowed_account_ids = [ACCOUNTS.north];
    fs.writeFileSync(configFile, JSON.stringify(config));
    const south = pooledWorkspace('south-eu-west-1', env, pool);
    await expect(south.sharingProvider((attached) => attached.plan())).rejects.toThrow(
      new RegExp(`AWS account ID not allowed: ${ACCOUNTS.south}`),
    );
    expect(pool.started).toBe(1);
  } finally {
    await pool.close();
  }
});
