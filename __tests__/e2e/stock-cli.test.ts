/**
 * The stock cdktf CLI in local mode, exactly as README's "The stock cdktf CLI" says: an emulator, the
 * state bucket created by one sesform local command, the emulator's test keys and (with a mirror) the
 * CLI config sesform wrote, then `cdktf plan <stack> --skip-provider-lock` through main.ts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { STOCK_CLI } from '../../src/cdk/packages';
import { main } from '../../src/cli';
import { WORK_PATHS } from '../../src/config';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import { providerMirror } from '../../src/terraform/toolchain';
import { PROJECT_ROOT, environmentYaml, writeFiles } from '../helpers/synth';

jest.setTimeout(600_000);

let emulator: Emulator;
let files: ReturnType<typeof writeFiles>;

beforeAll(async () => {
  emulator = await startEmulator();
  files = writeFiles({
    'environments/stock.yaml': environmentYaml(
      'stock',
      '740000000061',
      `configurationSets:
  - name: receipts
    eventDestinations:
      - name: bounces
        eventTypes: [bounce]
        cloudWatch:
          dimensions: [{ name: kind, source: messageTag, defaultValue: none }]
`,
    ),
  });
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  files?.cleanup();
});

test('SESFORM_LOCAL_ENDPOINT=... cdktf plan <stack> --skip-provider-lock plans the stack against the emulator', async () => {
  const environments = path.join(files.dir, 'environments');
  // Once: the state bucket in the emulator (any sesform local command against it creates it).
  const quiet = new PassThrough();
  quiet.resume();
  const planned = await main(
    [
      'plan',
      '--local',
      '--env',
      'stock',
      '--endpoint',
      emulator.endpoint,
      '--environments',
      environments,
      '--output',
      path.join(files.dir, 'sesform.out'),
    ],
    quiet,
    quiet,
  );
  expect(planned).toBe(2);
  // The project's cdktf.json, with main.ts and tsx named from the project (the CLI runs in a folder of its own).
  fs.writeFileSync(
    path.join(files.dir, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: `node --require ${require.resolve('tsx/cjs')} ${path.join(PROJECT_ROOT, 'main.ts')}`,
      output: 'cdktf.out',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
    }),
  );
  const mirror = providerMirror().path;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SESFORM_LOCAL_ENDPOINT: emulator.endpoint,
    SESFORM_ENVIRONMENTS: environments,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    CHECKPOINT_DISABLE: '1',
    ...(mirror ? { TF_CLI_CONFIG_FILE: path.resolve(PROJECT_ROOT, WORK_PATHS.terraformRc) } : {}),
  };
  const cli = path.join(PROJECT_ROOT, 'node_modules', '.bin', STOCK_CLI.command);
  const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [fs.realpathSync(cli), 'plan', 'stock-eu-west-1', '--skip-provider-lock'], {
      cwd: files.dir,
      env,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('close', (code) => resolve({ code, output }));
  });
  const plain = run.output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
  expect({ code: run.code, tail: plain.slice(-600) }).toEqual({ code: 0, tail: expect.any(String) });
  // The set, its destination and the stack's record of metric estimates.
  expect(plain).toMatch(/Plan: 3 to add, 0 to change, 0 to destroy/);
});
