/**
 * Terraform's output read as sesform reads it, on what the real terraform and AWS provider printed
 * (captured by fixtures/terraform/capture.ts): the typed errors the engine decides by, the plan
 * summary, and the real workspace's own handling (a lock file pinning another provider version, a
 * stack with no state yet), with a scripted process runner in place of the binary.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  MissingRemoteObjectError,
  StackStepError,
  StalePlanError,
  StateLockedError,
  TransientAwsError,
  stepError,
} from '../../src/terraform/errors';
import { StackWorkspace, planSummary } from '../../src/terraform/stack-workspace';
import type { TerraformProcesses, TerraformResult } from '../../src/terraform/terraform';
import { captured } from '../helpers/scripted-terraform';

const typed = (name: string, step = 'apply') => stepError('s', step, captured(name));

describe('typed errors from captured output', () => {
  test('a held state lock, with its ID, holder, operation and time', () => {
    const error = typed('plan-state-locked', 'plan');
    expect(error).toBeInstanceOf(StateLockedError);
    expect((error as StateLockedError).lock).toEqual({
      id: 'efc8632e-7b5e-181e-c570-120094e80e4e',
      who: 'root@vm',
      operation: 'OperationTypeApply',
      created: '2026-12-04 20:04:56.983699116 +0000 UTC',
    });
    // The S3 backend's 412 inside the lock message is not a transient error.
    expect(error).not.toBeInstanceOf(TransientAwsError);
  });

  test('throttling and a server error that outlasted the provider retries are transient, with the line that says why', () => {
    const throttled = typed('apply-throttled');
    expect(throttled).toBeInstanceOf(TransientAwsError);
    expect((throttled as TransientAwsError).transientCause).toMatch(
      /^Error: creating AWS SESv2 .*StatusCode: 429, RequestID: , TooManyRequestsException: injected fault/,
    );
    const server = typed('plan-server-error', 'plan');
    expect(server).toBeInstanceOf(TransientAwsError);
    expect((server as TransientAwsError).transientCause).toContain('api error InternalFailure');
  });

  test('a client error, an interrupted apply and a failed init are plain failures, never retried', () => {
    for (const name of ['apply-bad-request', 'apply-interrupted', 'init-lock-pins-other-version']) {
      const error = typed(name);
      expect(error.constructor).toBe(StackStepError);
    }
  });

  test('a stale saved plan and an import of a missing object', () => {
    expect(typed('apply-stale-plan')).toBeInstanceOf(StalePlanError);
    expect(typed('import-missing-object', 'import')).toBeInstanceOf(MissingRemoteObjectError);
  });

  test('the failure message ends with the last lines of what Terraform said', () => {
    expect(typed('apply-bad-request').message).toMatch(
      /^s: terraform apply failed \(exit 1\):\n[\s\S]*BadRequestException: injected fault: BadRequestException[\s\S]*101: {7}\}$/,
    );
  });
});

describe('plan summary', () => {
  test("Terraform's summary line, and none for a plan without changes", () => {
    expect(planSummary(captured('plan-changes').stdout)).toEqual({
      changes: true,
      import: 0,
      add: 3,
      change: 0,
      destroy: 0,
      text: '3 to add, 0 to change, 0 to destroy',
    });
    expect(planSummary(captured('plan-no-changes').stdout).changes).toBe(false);
  });
});

describe('the real workspace, with scripted processes', () => {
  /** Answers each terraform command line with the next captured output scripted for it. */
  const scripted = (answers: [RegExp, string][]) => {
    const calls: string[] = [];
    const processes = {
      run: async (args: readonly string[]): Promise<TerraformResult> => {
        const line = args.join(' ');
        calls.push(line);
        const at = answers.findIndex(([pattern]) => pattern.test(line));
        if (at < 0) return { code: 0, stdout: '', stderr: '' };
        const [[, name]] = answers.splice(at, 1);
        return captured(name);
      },
    } as unknown as TerraformProcesses;
    return { processes, calls };
  };
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-workspace-'));
    fs.writeFileSync(
      path.join(dir, 'cdk.tf.json'),
      JSON.stringify({ terraform: { backend: { s3: { bucket: 'b' } } } }),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a lock file that pins a version the configuration excludes is upgraded, and said so', async () => {
    const { processes, calls } = scripted([[/^init/, 'init-lock-pins-other-version']]);
    const workspace = new StackWorkspace('s', dir, {}, { processes, reconfigure: true });
    fs.mkdirSync(path.join(dir, '.terraform'));
    const announced: string[] = [];
    expect(await workspace.initIfNeeded(() => announced.push('init'))).toBe(true);
    expect(announced).toEqual(['init']);
    expect(calls).toEqual([
      'init -input=false -no-color -reconfigure',
      'init -input=false -no-color -reconfigure -upgrade',
    ]);
    expect(workspace.notes).toEqual([
      expect.stringMatching(
        /^the provider lock file pinned registry\.terraform\.io\/hashicorp\/aws 4\.0\.0, which this configuration's version constraint excludes; re-initialized with -upgrade/,
      ),
    ]);
    // Initialized for these inputs: the next run's steps skip init, and say nothing of it.
    expect(await workspace.initIfNeeded(() => announced.push('init again'))).toBe(false);
    expect(calls).toHaveLength(2);
    expect(announced).toEqual(['init']);
  });

  test('a stack with no state yet holds no addresses; plan exit codes 0 and 2 are no changes and changes', async () => {
    const { processes } = scripted([
      [/^state list/, 'state-list-no-state'],
      [/^plan/, 'plan-no-changes'],
      [/^plan/, 'plan-changes'],
      [/^plan/, 'plan-state-locked'],
    ]);
    const workspace = new StackWorkspace('s', dir, {}, { processes });
    expect(await workspace.stateAddresses()).toEqual([]);
    expect((await workspace.plan()).changes).toBe(false);
    expect(await workspace.plan()).toMatchObject({ changes: true, add: 3 });
    await expect(workspace.plan()).rejects.toBeInstanceOf(StateLockedError);
  });

  test('through a read-only plan role, a plan takes no state lock (-lock=false): that role may not write the lock file', async () => {
    const { processes, calls } = scripted([[/^plan/, 'plan-no-changes']]);
    await new StackWorkspace('s', dir, {}, { processes, lock: false }).plan('out.tfplan');
    await new StackWorkspace('s', dir, {}, { processes }).plan('out.tfplan');
    expect(calls).toEqual([
      'plan -input=false -no-color -detailed-exitcode -lock=false -out=out.tfplan',
      'plan -input=false -no-color -detailed-exitcode -out=out.tfplan',
    ]);
  });
});
