/**
 * `npm start` (`sesform rehearse`): the whole flow on the embedded emulator, its report, and its
 * failures, which name the stack and the step, exit non-zero and still stop the emulator.
 */
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

async function rehearse(dir: string): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  let output = '';
  out.on('data', (chunk) => (output += chunk));
  const code = await main(['rehearse', '--environments', dir], out, out);
  return { code, output };
}

function emulatorPid(output: string): number {
  return Number(/\(pid (\d+)\)/.exec(output)?.[1]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let files: ReturnType<typeof writeFiles>;

beforeAll(() => {
  files = writeFiles({ 'one.yaml': ENVIRONMENT });
});

afterAll(() => files.cleanup());

test('applies, reports what was created, plans again with no changes, and stops the emulator', async () => {
  const { code, output } = await rehearse(files.dir);
  expect(code).toBe(0);
  expect(output).toMatch(/^plan {7}one-eu-west-1: 2 to add, 0 to change, 0 to destroy$/m);
  expect(output).toMatch(/^apply {6}one-eu-west-1: Resources: 2 added, 0 changed, 0 destroyed\./m);
  expect(output).toContain(
    '      bounces [enabled] events: BOUNCE, COMPLAINT; dimensions: ses:configuration-set (MESSAGE_TAG, default receipts)',
  );
  expect(output).toMatch(/^re-plan {4}one-eu-west-1: no changes$/m);
  expect(output).toMatch(
    /Rehearsal complete in .*: 1 stack\(s\) applied in 1 wave\(s\); the second plan shows no changes\./,
  );
  expect(isRunning(emulatorPid(output))).toBe(false);
});

test('a failing step names the stack and the reason, exits 1, and still stops the emulator', async () => {
  process.env.SESFORM_LOCAL_PROVIDER_VERSION = '0.0.1';
  try {
    const { code, output } = await rehearse(files.dir);
    expect(code).toBe(1);
    expect(output).toContain('Rehearsal failed: one-eu-west-1: terraform init failed (exit 1):');
    expect(output).toMatch(/0\.0\.1/);
    expect(isRunning(emulatorPid(output))).toBe(false);
  } finally {
    delete process.env.SESFORM_LOCAL_PROVIDER_VERSION;
  }
});
