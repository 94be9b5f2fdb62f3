/**
 * Faults, end to end with real Terraform against the emulator's fault injection: a failing wave, a
 * terraform process killed in the middle of an apply, an emulator that cannot be reached, and
 * transient AWS errors that outlast the provider's own retries.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../src/emulator/emulator';
import { renderMarkdown } from '../../src/report/text';
import { EngineFixture, stackIn } from '../helpers/engine-fixture';
import { PROJECT_ROOT, environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNTS = ['720000000000', '720000000001', '720000000002'];
const KILLED = '720000000009';
const INTERRUPTED = '720000000008';

const environment = (name: string, account: string, wave: number, extraDestination = '') =>
  environmentYaml(
    name,
    account,
    `wave: ${wave}
configurationSets:
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
${extraDestination}`,
  );

const CLICKS = `      - name: clicks
        eventTypes: [CLICK]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: none, expectedValues: 3 }
`;

let fixture: EngineFixture;
const retryBase = process.env.SESFORM_RETRY_BASE_MS;

beforeAll(async () => {
  process.env.SESFORM_RETRY_BASE_MS = '200';
  fixture = await EngineFixture.start(
    {
      'w0.yaml': environment('w0', ACCOUNTS[0], 0),
      'w1.yaml': environment('w1', ACCOUNTS[1], 1),
      'w2.yaml': environment('w2', ACCOUNTS[2], 2),
    },
    { faultInjection: true },
  );
});

afterAll(async () => {
  if (retryBase === undefined) delete process.env.SESFORM_RETRY_BASE_MS;
  else process.env.SESFORM_RETRY_BASE_MS = retryBase;
  await fixture?.stop();
});

afterEach(() => fixture.clearFaults());

test('a failing stack in wave 1 stops the rollout before wave 2; a rerun after the fix completes it, nothing twice', async () => {
  await fixture.inject({
    operation: 'CreateConfigurationSet',
    count: 1,
    status: 400,
    code: 'BadRequestException',
    account: ACCOUNTS[1],
  });
  const failed = await fixture.report(['rollout', '--all', '--auto-approve']);
  expect(failed.exitCode).toBe(1);
  expect(failed.stacks.map((stack) => [stack.stack, stack.outcome])).toEqual([
    ['w0-eu-west-1', 'applied'],
    ['w1-eu-west-1', 'failed'],
    ['w2-eu-west-1', 'not-touched'],
  ]);
  const w1 = stackIn(failed, 'w1-eu-west-1');
  expect(w1.error).toContain('BadRequestException');
  expect(w1.retries).toEqual([]); // not transient: never retried
  expect(failed.stopped).toBe(
    'Wave 1 failed (w1-eu-west-1): applied w0-eu-west-1; not touched w2-eu-west-1. Fix the cause and run again: what was applied is not applied twice.',
  );
  expect(await fixture.setNames(ACCOUNTS[2])).toEqual([]);
  const markdown = renderMarkdown(failed);
  expect(markdown).toContain('```mermaid');
  expect(markdown).toContain('w0_eu_west_1["✅ w0-eu-west-1<br/>applied"]:::applied');
  expect(markdown).toContain('w1_eu_west_1["❌ w1-eu-west-1<br/>failed"]:::failed');
  expect(markdown).toContain('w2_eu_west_1["⏸️ w2-eu-west-1<br/>not-touched"]:::not_touched');
  expect(markdown).toContain('wave1 --> wave2');

  const rerun = await fixture.report(['rollout', '--all', '--auto-approve']);
  expect(rerun.exitCode).toBe(0);
  expect(rerun.stacks.map((stack) => stack.outcome)).toEqual(['no-changes', 'applied', 'applied']);
  for (const account of ACCOUNTS) {
    expect(await fixture.setNames(account)).toEqual(['mail']);
    expect(Object.keys(await fixture.destinations(account, 'mail')).sort()).toEqual(['events', 'opens']);
  }
});

test('transient errors that outlast the provider retries are retried with backoff, and the report says so', async () => {
  fixture.write('w2.yaml', environment('w2', ACCOUNTS[2], 2, CLICKS));
  // Throttled long enough to fail the provider's own attempts once, then it clears.
  await fixture.inject({
    operation: 'CreateConfigurationSetEventDestination',
    count: 3,
    status: 429,
    code: 'TooManyRequestsException',
    account: ACCOUNTS[2],
  });
  // And a server error on the refresh of the plan.
  await fixture.inject({
    operation: 'GetConfigurationSet',
    count: 3,
    status: 500,
    code: 'InternalFailure',
    account: ACCOUNTS[2],
  });
  const report = await fixture.report(['rollout', '--env', 'w2', '--auto-approve']);
  expect(report.exitCode).toBe(0);
  const w2 = stackIn(report, 'w2-eu-west-1');
  expect(w2.outcome).toBe('applied');
  expect(w2.retries).toEqual([
    expect.stringMatching(/^plan attempt 2 after \d+\.\d s: .*(InternalFailure|StatusCode: 500)/),
    expect.stringMatching(/^apply attempt 2 after \d+\.\d s: .*(TooManyRequests|StatusCode: 429)/),
  ]);
  expect(Object.keys(await fixture.destinations(ACCOUNTS[2], 'mail')).sort()).toEqual(['clicks', 'events', 'opens']);
});

test('an unreachable emulator fails every stack at once with a clear message, exit 1, nothing run', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  fs.rmSync(fixture.plans, { recursive: true, force: true });
  const report = await fixture.report(['plan', '--all'], { endpoint: dead });
  expect(report.exitCode).toBe(1);
  for (const stack of report.stacks) {
    expect(stack.outcome).toBe('failed');
    expect(stack.error).toBe(
      `the emulator at ${dead} is not reachable (ECONNREFUSED); nothing was run. Start one with \`sesform emulator\`, or leave out --endpoint and sesform starts its own.`,
    );
  }
  expect(fs.existsSync(fixture.plans)).toBe(false);
  const apply = await fixture.run(['apply', '--all'], { endpoint: dead });
  expect(apply.code).toBe(1);
  expect(apply.stdout).toContain('is not reachable (ECONNREFUSED)');
});

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
  fixture.write('interrupted.yaml', environment('interrupted', INTERRUPTED, 0));
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
  fixture.write('killed.yaml', environment('killed', KILLED, 0));
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
  expect(killed.recovered).toEqual([
    expect.stringContaining('aws_sesv2_configuration_set.'),
    expect.stringContaining('(mail|events)'),
    expect.stringContaining('(mail|opens)'),
  ]);
  expect(await fixture.setNames(KILLED)).toEqual(['mail']);
  expect(Object.keys(await fixture.destinations(KILLED, 'mail')).sort()).toEqual(['events', 'opens']);
  expect((await fixture.run(['plan', '--env', 'killed'])).code).toBe(0);
});
