/**
 * `npm start` (`sesform rollout --local --all --auto-approve --verify`): with no emulator address
 * given, the command starts the embedded emulator, rolls out, verifies the metrics, and stops the
 * emulator, also when a step fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { environmentYaml, writeFiles } from '../helpers/synth';

jest.setTimeout(300_000);

const ENVIRONMENT = environmentYaml(
  'one',
  '555555555555',
  `configurationSets:
  - name: receipts
    eventDestinations:
      - name: bounces
        eventTypes: [bounce, complaint]
        cloudWatch:
          dimensions:
            - { name: ses:configuration-set, source: messageTag, defaultValue: receipts }
`,
);

let files: ReturnType<typeof writeFiles>;
let work: string;

beforeAll(() => {
  files = writeFiles({ 'one.yaml': ENVIRONMENT });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-rollout-'));
});

afterAll(() => {
  files.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

async function rollout(): Promise<{ code: number; stdout: string; stderr: string }> {
  const [out, err] = [new PassThrough(), new PassThrough()];
  let [stdout, stderr] = ['', ''];
  out.on('data', (chunk) => (stdout += chunk));
  err.on('data', (chunk) => (stderr += chunk));
  const args = ['--environments', files.dir, '--output', path.join(work, 'out'), '--plans', path.join(work, 'plans')];
  const code = await main(['rollout', '--local', '--all', '--auto-approve', '--verify', ...args], out, err);
  return { code, stdout, stderr };
}

function emulatorPid(stderr: string): number {
  return Number(/emulator started at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(stderr)?.[1]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('starts its own emulator, applies every wave, reports what it created, verifies its metrics, and stops the emulator', async () => {
  const { code, stdout, stderr } = await rollout();
  expect(code).toBe(0);
  expect(stdout).toContain('sesform rollout (local emulator): 1 stack(s): 1 applied');
  expect(stdout).toContain(
    'one-eu-west-1 (account 555555555555, eu-west-1, wave 0) applied: 2 to add, 0 to change, 0 to replace, 0 to destroy',
  );
  expect(stdout).toContain('+ configuration set receipts: create');
  expect(stdout).toContain(
    '+ destination receipts/bounces: create; events +BOUNCE +COMPLAINT; dimensions +ses:configuration-set (MESSAGE_TAG, default "receipts"); metrics 0 -> 2 (+2)',
  );
  expect(stderr).toMatch(/^wave 0: applying one-eu-west-1$/m);
  // bounce@ and complaint@ of the mailbox simulator: one series each, on the set's name.
  expect(stdout).toContain('verify: 2 verified, 0 missing, 0 not verifiable on demand');
  expect(stdout).toContain('ok      receipts/bounces: Bounce {ses:configuration-set=receipts}');
  expect(stdout).toContain('ok      receipts/bounces: Complaint {ses:configuration-set=receipts}');
  expect(stderr).toMatch(/^emulator stopped$/m);
  expect(isRunning(emulatorPid(stderr))).toBe(false);
});

test('a failing step names the stack and the reason, exits 1, and still stops the emulator', async () => {
  process.env.SESFORM_LOCAL_PROVIDER_VERSION = '0.0.1';
  try {
    const { code, stdout, stderr } = await rollout();
    expect(code).toBe(1);
    expect(stdout).toContain('one-eu-west-1 (account 555555555555, eu-west-1, wave 0) failed');
    expect(stdout).toContain('error: terraform init failed (exit 1):');
    expect(stdout).toMatch(/0\.0\.1/);
    expect(stdout).toContain('Planning failed, so nothing was applied.');
    expect(isRunning(emulatorPid(stderr))).toBe(false);
  } finally {
    delete process.env.SESFORM_LOCAL_PROVIDER_VERSION;
  }
});
