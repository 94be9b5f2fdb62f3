/**
 * Faults only real processes show, end to end with real Terraform against the emulator's fault
 * injection: a Ctrl-C in the middle of an apply (terraform stops its calls, writes its state and
 * releases its lock) and a runner killed in the middle of one (the lock it leaves, cleared; what its
 * requests created, taken over). How the engine decides on a failure (waves stopped, retries of
 * transient errors, an unreachable emulator) is unit-tested on Terraform's captured output
 * (unit/engine-decisions.test.ts). Each test works on an environment of its own.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineFixture, stackIn } from '../helpers/engine-fixture';
import { PROJECT_ROOT, environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const KILLED = '720000000009';
const INTERRUPTED = '720000000008';

const environment = (name: string, account: string) =>
  environmentYaml(
    name,
    account,
    `configurationSets:
  - name: mail
    eventDestinations:
      - name: events
        eventTypes: [SEND, BOUNCE]
        cloudWatch:
          dimensions:
            - { name: ses:configuration-set, source: messageTag, defaultValue: mail }
      - name: opens
        eventTypes: [OPEN]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: none, expectedValues: 3 }
`,
  );

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start(
    { 'interrupted.yaml': environment('interrupted', INTERRUPTED), 'killed.yaml': environment('killed', KILLED) },
    { faultInjection: true },
  );
});

afterAll(() => fixture?.stop());

afterEach(() => fixture.clearFaults());

/** Runs `sesform apply` as its own process group, and kills the group once the emulator sees `operation`. */
async function killApplyDuring(operation: string): Promise<void> {
  const before = (await fixture.calls())[operation] ?? 0;
  const child = spawn(
    process.execPath,
    [path.join(PROJECT_ROOT, 'bin', 'sesform.js'), 'apply', '--env', 'killed', ...fixture.args('apply')],
    {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let waited = 0; ((await fixture.calls())[operation] ?? 0) <= before; waited += 100) {
    if (waited > 120_000) throw new Error(`${operation} never arrived`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A lost runner: sesform and every process it started (terraform and providers run in process
  // groups of their own, so that a Ctrl-C reaches sesform only) die at once.
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
  process.kill(-child.pid!, 'SIGKILL');
  for (const pid of children)
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already, or not a group leader (then the first kill took it).
    }
  await exited;
}

/** Processes whose working directory is inside `dir` (terraform runs in the stack folders). */
function processesIn(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('SIGINT mid-apply: terraform stops cleanly, the report says what was applied and interrupted, exit 130, no lock left', async () => {
  await fixture.inject({
    operation: 'CreateConfigurationSetEventDestination',
    count: 2,
    latencyMs: 4000,
    account: INTERRUPTED,
  });
  const before = (await fixture.calls()).CreateConfigurationSetEventDestination ?? 0;
  const child = spawn(
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'bin', 'sesform.js'),
      'rollout',
      '--env',
      'interrupted',
      '--auto-approve',
      ...fixture.args('rollout'),
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let waited = 0; ((await fixture.calls()).CreateConfigurationSetEventDestination ?? 0) <= before; waited += 100) {
    if (waited > 120_000) throw new Error('the apply never reached the destinations');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stdout).toContain('Interrupted by SIGINT: nothing was applied; interrupted interrupted-eu-west-1.');
  expect(stdout).toMatch(/interrupted-eu-west-1 .* failed/);
  expect(processesIn(fixture.outdir)).toEqual([]);
  // The requests in flight when terraform stopped still complete on the AWS side.
  for (let waited = 0; Object.keys(await fixture.destinations(INTERRUPTED, 'mail')).length < 2; waited += 200) {
    if (waited > 20_000) throw new Error('the in-flight destinations never appeared');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Terraform released its lock and wrote what it had done: the next rollout converges.
  const again = await fixture.report(['rollout', '--env', 'interrupted', '--auto-approve']);
  expect(again.exitCode).toBe(0);
  // What the cancelled requests still created is taken over, not created twice.
  expect(stackIn(again, 'interrupted-eu-west-1').recovered).toEqual(
    expect.arrayContaining([expect.stringContaining('created by an interrupted apply')]),
  );
  expect(Object.keys(await fixture.destinations(INTERRUPTED, 'mail')).sort()).toEqual(['events', 'opens']);
});

test('terraform killed in the middle of an apply: the lock is reported and cleared, the next rollout converges', async () => {
  expect((await fixture.run(['plan', '--env', 'killed'])).code).toBe(2);
  // Destination calls hang long enough to kill the apply while they are in flight.
  await fixture.inject({
    operation: 'CreateConfigurationSetEventDestination',
    count: 2,
    latencyMs: 3000,
    account: KILLED,
  });
  await killApplyDuring('CreateConfigurationSetEventDestination');
  // The requests in flight still complete on the AWS side; the state never heard of them.
  for (let waited = 0; Object.keys(await fixture.destinations(KILLED, 'mail')).length < 2; waited += 200) {
    if (waited > 20_000) throw new Error('the in-flight destinations never appeared');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const locked = await fixture.report(['rollout', '--env', 'killed', '--auto-approve']);
  expect(locked.exitCode).toBe(1);
  const lock = stackIn(locked, 'killed-eu-west-1').lock!;
  expect(lock.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(lock.operation).toBe('OperationTypeApply');
  expect(stackIn(locked, 'killed-eu-west-1').error).toMatch(
    /^terraform import: the state is locked by OperationTypeApply of \S+ since 20\d\d-/,
  );
  expect(lock.clear).toBe(`\`sesform unlock --stack killed-eu-west-1 --lock-id ${lock.id} --local\``);
  const text = await fixture.run(['plan', '--env', 'killed']);
  expect(text.stdout).toContain(`state lock ${lock.id} held by`);
  expect(text.stdout).toContain(
    'if no terraform is running for this stack, clear it: `sesform unlock --stack killed-eu-west-1',
  );

  const unlocked = await fixture.run(['unlock', '--stack', 'killed-eu-west-1', '--lock-id', lock.id]);
  expect(unlocked.code).toBe(0);
  expect(unlocked.stdout).toBe(`Released lock ${lock.id} of killed-eu-west-1.\n`);
  // Unlocking what is released already says so, instead of S3's 404.
  const again = await fixture.run(['unlock', '--stack', 'killed-eu-west-1', '--lock-id', lock.id]);
  expect({ code: again.code, stdout: again.stdout, stderr: again.stderr }).toEqual({
    code: 0,
    stdout: `killed-eu-west-1 holds no lock ${lock.id}: it was released already (the run that held it ended, or another unlock cleared it). Nothing to do.\n`,
    stderr: '',
  });

  const converged = await fixture.report(['rollout', '--env', 'killed', '--auto-approve']);
  expect(converged.exitCode).toBe(0);
  const killed = stackIn(converged, 'killed-eu-west-1');
  // The destinations in flight are taken over. The set is too, unless Terraform had already written
  // it to the state before the kill (it persists state as resources complete: a matter of timing).
  expect(killed.recovered.filter((line) => !line.startsWith('aws_sesv2_configuration_set.'))).toEqual([
    expect.stringContaining('(mail|events)'),
    expect.stringContaining('(mail|opens)'),
  ]);
  expect(killed.recovered.length).toBeLessThanOrEqual(3);
  expect(await fixture.setNames(KILLED)).toEqual(['mail']);
  expect(Object.keys(await fixture.destinations(KILLED, 'mail')).sort()).toEqual(['events', 'opens']);
  expect((await fixture.run(['plan', '--env', 'killed'])).code).toBe(0);
});
