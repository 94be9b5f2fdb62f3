/**
 * The product as users install it: `npm ci --omit=dev` in a copy of the project, then every documented
 * command from that install, including the ones that load the AWS SDK and Terraform on demand (adopt,
 * export, plan, apply, drift) against the emulator. A runtime import of a devDependency fails here.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import { PROJECT_ROOT } from '../helpers/synth';

jest.setTimeout(600_000);

const run = promisify(execFile);
const PRODUCT = [
  'package.json',
  'package-lock.json',
  'cdktf.json',
  'main.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin',
  'scripts',
  'src',
  'modules',
];

let install: string;
let emulator: Emulator;

/** `node bin/sesform.js ARGS` in the installed copy; resolves to its exit code and output. */
async function sesform(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/sesform.js', ...args], {
      cwd: install,
      env: { ...process.env, CI: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  install = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-install-'));
  for (const entry of PRODUCT)
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(install, entry), { recursive: true });
  // The users' environment files: this test's own copy of the samples.
  fs.cpSync(path.join(PROJECT_ROOT, 'environments'), path.join(install, 'environments'), { recursive: true });
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: install,
    maxBuffer: 16 * 1024 * 1024,
  });
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  if (install) fs.rmSync(install, { recursive: true, force: true });
});

test('no devDependency is installed', () => {
  const devDependencies = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: object })
      .devDependencies,
  );
  for (const name of devDependencies) expect(fs.existsSync(path.join(install, 'node_modules', name))).toBe(false);
});

test('the commands that need no AWS work from the production install', async () => {
  expect((await sesform('--help')).code).toBe(0);
  for (const command of ['plan', 'apply', 'drift', 'rollout', 'report', 'unlock', 'emulator', 'validate', 'cost'])
    expect((await sesform(command, '--help')).code).toBe(0);
  expect((await sesform('validate')).code).toBe(0);
  expect((await sesform('cost')).code).toBe(0);
  expect((await sesform('synth', '--output', 'out')).stdout).toContain('Synthesized 4 stack(s)');
  const policy = await sesform('iam-policy', '--env', 'prod');
  expect(JSON.parse(policy.stdout).roles[0].policy.Statement[0].Sid).toBe('ManageThisEnvironmentsConfigurationSets');
});

test('adopt, export, plan, apply and drift work from the production install (AWS SDK, Terraform)', async () => {
  const local = ['--local', '--endpoint', emulator.endpoint];
  const adopted = await sesform('adopt', '--env', 'dev', ...local);
  expect(adopted).toMatchObject({ code: 0, stdout: expect.stringContaining('dev-eu-west-1 (account 111111111111)') });
  const plan = await sesform('plan', '--env', 'dev', ...local);
  expect(plan.code).toBe(2);
  expect((await sesform('apply', '--env', 'dev', ...local)).code).toBe(0);
  const drift = await sesform('drift', '--env', 'dev', ...local);
  expect(drift).toMatchObject({ code: 0, stdout: expect.stringContaining('1 in-sync') });
  const exported = await sesform(
    'export',
    '--name',
    'copy',
    '--role',
    'arn:aws:iam::111111111111:role/ses-deploy',
    '--region',
    'eu-west-1',
    '--output',
    path.join(install, 'exported', 'copy.yaml'),
    ...local,
  );
  expect(exported).toMatchObject({ code: 0, stdout: expect.stringContaining('Exported 2 configuration set(s)') });
});
