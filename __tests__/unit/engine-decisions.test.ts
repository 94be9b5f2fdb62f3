/**
 * The engine's decisions, through its Terraform seam with a scripted runner (helpers/scripted-terraform):
 * waves and where a failure stops them, destroy protection, the saved-plan and plan-file checks, the
 * reviewed-plan comparison, retries of transient errors, the takeover of an interrupted apply, a
 * signal in the middle of a step, state locks and the command that clears them, and what the report
 * says in each case. The failures are Terraform's own output, captured (fixtures/terraform). What only
 * real Terraform can show is in the end-to-end tests.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, ApplyOptions, EngineOptions, unlockStack } from '../../src/engine/engine';
import { PlanStore } from '../../src/engine/plan-store';
import { ReviewedPlans } from '../../src/engine/review';
import { loadEnvironments } from '../../src/fleet/loader';
import type { Fleet, FleetStack } from '../../src/fleet/fleet';
import { RunReport, StackReport, mergeReports } from '../../src/report/run-report';
import { selectStacks } from '../../src/engine/scheduling';
import { localTarget } from '../../src/local/local-target';
import { renderMarkdown, renderText } from '../../src/report/text';
import { EXIT } from '../../src/exit-codes';
import { environmentYaml } from '../helpers/synth';
import {
  ScriptedTerraform,
  StackScript,
  createsAll,
  deletesSet,
  planFileOf,
  updatesSet,
} from '../helpers/scripted-terraform';

const ACCOUNTS = { w0: '750000000000', w1: '750000000001', w2: '750000000002' };
const MAIL = `configurationSets:
  - name: mail
    eventDestinations:
      - name: events
        eventTypes: [SEND, BOUNCE]
        cloudWatch:
          dimensions:
            - { name: ses:configuration-set, source: messageTag, defaultValue: mail }
`;

/** One engine run's folders, environments and scripted Terraform. */
class Workbench {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-decisions-'));
  readonly plans = new PlanStore(path.join(this.root, 'plans'));
  readonly lines: string[] = [];
  fleet!: Fleet;

  constructor(files: Record<string, string>) {
    for (const [name, content] of Object.entries(files)) this.write(name, content);
    this.load();
  }

  write(name: string, content: string): void {
    fs.mkdirSync(path.join(this.root, 'environments'), { recursive: true });
    fs.writeFileSync(path.join(this.root, 'environments', name), content);
  }

  load(): void {
    const loaded = loadEnvironments(path.join(this.root, 'environments'));
    expect(loaded.problems).toEqual([]);
    this.fleet = loaded.fleet;
  }

  get outdir(): string {
    return path.join(this.root, 'cdktf.out');
  }

  stack(name: string): FleetStack {
    return this.fleet.stacks.find((stack) => stack.name === name)!;
  }

  terraform(scripts: Record<string, StackScript> = {}): ScriptedTerraform {
    return new ScriptedTerraform(this.outdir, scripts);
  }

  /** An engine on this bench's stacks and folders; `options` replaces any of its settings. */
  engine(
    terraform: ScriptedTerraform,
    { reviewed, ...options }: { reviewed?: string } & Partial<Omit<EngineOptions, 'reviewed'>> = {},
  ) {
    return new Engine({
      stacks: this.fleet.stacks,
      everyStack: this.fleet.stacks,
      outdir: this.outdir,
      plans: this.plans,
      concurrency: 2,
      progress: (line) => this.lines.push(line),
      terraform,
      unmanaged: async () => ({ unmanagedDestinations: [], unmanagedSets: [] }),
      ...(reviewed ? { reviewed: new ReviewedPlans(reviewed) } : {}),
      ...options,
    });
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

const waves = () => ({
  'w0.yaml': environmentYaml('w0', ACCOUNTS.w0, `wave: 0\n${MAIL}`),
  'w1.yaml': environmentYaml('w1', ACCOUNTS.w1, `wave: 1\n${MAIL}`),
  'w2.yaml': environmentYaml('w2', ACCOUNTS.w2, `wave: 2\nprotect: true\n${MAIL}`),
});
const STACKS = ['w0-eu-west-1', 'w1-eu-west-1', 'w2-eu-west-1'];
const autoApprove: ApplyOptions = { allowDestroy: [] };
const outcomes = (report: RunReport) => Object.fromEntries(report.stacks.map((stack) => [stack.stack, stack.outcome]));
const stackIn = (report: RunReport, name: string): StackReport => report.stacks.find((stack) => stack.stack === name)!;

let bench: Workbench;
/** Every stack's first plan creates what it declares. */
let firstPlans: () => Record<string, StackScript>;

beforeEach(() => {
  bench = new Workbench(waves());
  firstPlans = () => Object.fromEntries(STACKS.map((name) => [name, { plans: [createsAll(bench.stack(name))] }]));
});
afterEach(() => bench.remove());

describe('plan', () => {
  test('saves a plan per stack; a stack without changes runs plan only (no show), and needs no apply', async () => {
    const terraform = bench.terraform({ ...firstPlans(), 'w1-eu-west-1': {} });
    const report = await bench.engine(terraform).plan();
    expect(report.exitCode).toBe(EXIT.changes);
    expect(outcomes(report)).toEqual({
      'w0-eu-west-1': 'planned',
      'w1-eu-west-1': 'no-changes',
      'w2-eu-west-1': 'planned',
    });
    expect(terraform.steps().filter((step) => step.startsWith('w1'))).toEqual([
      'w1-eu-west-1 init',
      'w1-eu-west-1 plan',
    ]);
    expect(terraform.steps().filter((step) => step.startsWith('w0'))).toEqual([
      'w0-eu-west-1 init',
      'w0-eu-west-1 plan',
      'w0-eu-west-1 show',
    ]);
    // The no-change stack's metrics are the fleet's estimate before and after.
    const w1 = stackIn(report, 'w1-eu-west-1');
    expect(w1.changes!.metrics).toEqual({
      before: bench.stack('w1-eu-west-1').metrics,
      after: bench.stack('w1-eu-west-1').metrics,
    });
    for (const name of STACKS) expect(bench.plans.load(name)).toBeDefined();
    expect(bench.plans.load('w0-eu-west-1')!.actions).toEqual(
      Object.fromEntries(
        createsAll(bench.stack('w0-eu-west-1')).resource_changes!.map((change) => [change.address, 'create']),
      ),
    );
  });

  test('a state lock fails that stack only; the report names the lock and the command that clears it', async () => {
    const terraform = bench.terraform({ ...firstPlans(), 'w1-eu-west-1': { fail: { plan: ['plan-state-locked'] } } });
    const report = await bench.engine(terraform).plan();
    expect(report.exitCode).toBe(EXIT.error);
    const w1 = stackIn(report, 'w1-eu-west-1');
    expect(w1.outcome).toBe('failed');
    // The lock as Terraform printed it (fixtures/terraform/plan-state-locked.json).
    expect(w1.lock).toMatchObject({
      id: 'efc8632e-7b5e-181e-c570-120094e80e4e',
      operation: 'OperationTypeApply',
      who: 'root@vm',
      clear: '`sesform unlock --stack w1-eu-west-1 --lock-id efc8632e-7b5e-181e-c570-120094e80e4e`',
    });
    expect(w1.error).toMatch(/^terraform plan: the state is locked by OperationTypeApply of root@vm since 2026-12-04 /);
    expect(renderText(report)).toContain(
      'state lock efc8632e-7b5e-181e-c570-120094e80e4e held by root@vm; if no terraform is running for this stack, clear it: `sesform unlock --stack w1-eu-west-1 --lock-id efc8632e-7b5e-181e-c570-120094e80e4e`',
    );
    expect(outcomes(report)['w0-eu-west-1']).toBe('planned');
  });

  test('a transient server error is retried with backoff and said in the report; a lasting one fails after 3 attempts', async () => {
    process.env.SESFORM_RETRY_BASE_MS = '1';
    try {
      const terraform = bench.terraform({
        ...firstPlans(),
        'w0-eu-west-1': { plans: [createsAll(bench.stack('w0-eu-west-1'))], fail: { plan: ['plan-server-error'] } },
        'w1-eu-west-1': { fail: { plan: ['plan-server-error', 'plan-server-error', 'plan-server-error'] } },
      });
      const report = await bench.engine(terraform).plan();
      const w0 = stackIn(report, 'w0-eu-west-1');
      expect(w0.outcome).toBe('planned');
      expect(w0.retries).toEqual([
        expect.stringMatching(/^plan attempt 2 after \d+\.\d s: Error: reading AWS SESv2 .*StatusCode: 500/),
      ]);
      const w1 = stackIn(report, 'w1-eu-west-1');
      expect([w1.outcome, w1.retries.length]).toEqual(['failed', 2]);
      expect(w1.error).toMatch(/^terraform plan failed \(exit 1\):\n[\s\S]*api error InternalFailure/);
    } finally {
      delete process.env.SESFORM_RETRY_BASE_MS;
    }
  });
});

describe('apply', () => {
  const planned = async (scripts = firstPlans()) => {
    const terraform = bench.terraform(scripts);
    expect((await bench.engine(terraform).plan()).exitCode).toBe(EXIT.changes);
    return terraform;
  };

  test('applies exactly the saved plans, wave by wave, each verified before any is applied, and consumes them', async () => {
    const terraform = await planned();
    const report = await bench.engine(terraform).apply(autoApprove);
    expect(report.exitCode).toBe(EXIT.ok);
    expect(outcomes(report)).toEqual(Object.fromEntries(STACKS.map((name) => [name, 'applied'])));
    const applyRun = terraform.steps('show', 'apply').slice(3);
    // Every file is read by Terraform (show) before the first apply; then the waves in order.
    expect(applyRun.slice(0, 3).sort()).toEqual(STACKS.map((name) => `${name} show`));
    expect(applyRun.slice(3)).toEqual(STACKS.map((name) => `${name} apply`));
    for (const name of STACKS) expect(bench.plans.load(name)).toBeUndefined();
    const again = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(again, 'w0-eu-west-1').error).toMatch(/^no saved plan: run `sesform plan --env w0` first\.$/);
  });

  test('a failing stack in wave 1 stops the waves after it; a rerun applies the rest, nothing twice', async () => {
    const terraform = await planned();
    terraform.script('w1-eu-west-1').fail = { apply: ['apply-bad-request'] };
    const failed = await bench.engine(terraform).apply(autoApprove);
    expect(failed.exitCode).toBe(EXIT.error);
    expect(outcomes(failed)).toEqual({
      'w0-eu-west-1': 'applied',
      'w1-eu-west-1': 'failed',
      'w2-eu-west-1': 'not-touched',
    });
    expect(failed.stopped).toBe(
      'Wave 1 failed (w1-eu-west-1): applied w0-eu-west-1; not touched w2-eu-west-1. Fix the cause and run again: what was applied is not applied twice.',
    );
    // Not transient: no retry.
    expect(stackIn(failed, 'w1-eu-west-1').retries).toEqual([]);
    expect(stackIn(failed, 'w1-eu-west-1').error).toContain('BadRequestException: injected fault');
    expect(terraform.steps('apply')).toEqual(['w0-eu-west-1 apply', 'w1-eu-west-1 apply']);
    // The waves diagram of the Markdown report shows where it stopped.
    const markdown = renderMarkdown(failed);
    expect(markdown).toContain('```mermaid');
    expect(markdown).toContain('w0_eu_west_1["✅ w0-eu-west-1<br/>applied"]:::applied');
    expect(markdown).toContain('w1_eu_west_1["❌ w1-eu-west-1<br/>failed"]:::failed');
    expect(markdown).toContain('w2_eu_west_1["⏸️ w2-eu-west-1<br/>not-touched"]:::not_touched');
    expect(markdown).toContain('wave1 --> wave2');

    terraform.script('w1-eu-west-1').plans = [createsAll(bench.stack('w1-eu-west-1'))];
    const rollout = await bench.engine(terraform).rollout(autoApprove);
    expect(rollout.exitCode).toBe(EXIT.ok);
    expect(outcomes(rollout)).toEqual({
      'w0-eu-west-1': 'no-changes',
      'w1-eu-west-1': 'applied',
      'w2-eu-west-1': 'applied',
    });
    expect(terraform.steps('apply').filter((step) => step.startsWith('w0'))).toEqual(['w0-eu-west-1 apply']);
  });

  test('a throttled apply is retried on a fresh plan of what remains, applied only within what was reviewed', async () => {
    process.env.SESFORM_RETRY_BASE_MS = '1';
    try {
      const terraform = await planned();
      const w0 = bench.stack('w0-eu-west-1');
      const destination = w0.configurationSets[0].destinations[0];
      // After the throttled attempt only the destination remains: within the reviewed plan.
      terraform.script('w0-eu-west-1').fail = { apply: ['apply-throttled'] };
      terraform.script('w0-eu-west-1').plans = [
        {
          resource_changes: createsAll(w0).resource_changes!.filter((change) => change.address === destination.address),
        },
      ];
      // w1's remaining plan deletes a set the review never saw: refused.
      terraform.script('w1-eu-west-1').fail = { apply: ['apply-throttled'] };
      terraform.script('w1-eu-west-1').plans = [deletesSet(bench.stack('w1-eu-west-1'), 'console-made')];
      const report = await bench.engine(terraform).apply(autoApprove);
      const [first, second] = [stackIn(report, 'w0-eu-west-1'), stackIn(report, 'w1-eu-west-1')];
      expect(first.outcome).toBe('applied');
      expect(first.retries).toEqual([
        expect.stringMatching(/^apply attempt 2 after \d+\.\d s: .*StatusCode: 429.*TooManyRequestsException/),
      ]);
      expect(
        terraform
          .steps()
          .filter((step) => step.startsWith('w0'))
          .slice(-4),
      ).toEqual(['w0-eu-west-1 apply', 'w0-eu-west-1 plan', 'w0-eu-west-1 show', 'w0-eu-west-1 apply']);
      expect(second.outcome).toBe('failed');
      expect(second.error).toBe(
        'after a transient failure, the remaining changes go beyond the reviewed plan (aws_sesv2_configuration_set.console-made (delete)): nothing more was applied; run `sesform plan --env w1` and review again.',
      );
      expect(outcomes(report)['w2-eu-west-1']).toBe('not-touched');
    } finally {
      delete process.env.SESFORM_RETRY_BASE_MS;
    }
  });

  test('a plan made before the environment file changed is stale: nothing is applied in any stack', async () => {
    const terraform = await planned();
    bench.write('w1.yaml', environmentYaml('w1', ACCOUNTS.w1, `wave: 1\n${MAIL.replace('[SEND, BOUNCE]', '[SEND]')}`));
    bench.load();
    const report = await bench.engine(terraform).apply(autoApprove);
    expect(report.exitCode).toBe(EXIT.error);
    expect(stackIn(report, 'w1-eu-west-1').error).toBe(
      'the saved plan was made from another configuration (the environment files changed since): run `sesform plan --env w1` again and review it.',
    );
    expect(report.stopped).toBe('Some saved plans are missing or stale, so nothing was applied.');
    expect(terraform.steps('apply')).toEqual([]);
  });

  test("a plan file swapped for another is refused; with its record edited to the swap's hash, Terraform's reading of the file refuses it", async () => {
    const terraform = await planned();
    const w0 = bench.stack('w0-eu-west-1');
    const file = bench.plans.planFile('w0-eu-west-1');
    const configuration = fs.readFileSync(path.join(bench.outdir, 'stacks', 'w0-eu-west-1', 'cdk.tf.json'));
    fs.writeFileSync(file, planFileOf(deletesSet(w0, 'mail'), configuration));
    const swapped = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(swapped, 'w0-eu-west-1').error).toMatch(/^the saved plan file is not the one its record describes/);
    expect(terraform.steps('apply')).toEqual([]);

    const recordFile = path.join(bench.plans.dir, 'w0-eu-west-1.json');
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { planSha256: string };
    record.planSha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    fs.writeFileSync(recordFile, JSON.stringify(record));
    const forged = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(forged, 'w0-eu-west-1').error).toMatch(
      new RegExp(
        `^the saved plan file does not do what its record says \\(${w0.configurationSets[0].address.replace('.', '\\.')}: delete in the file, create in the record`,
      ),
    );
    expect(forged.stopped).toBe('A saved plan file does not match its record, so nothing was applied in any stack.');
    expect(outcomes(forged)).toEqual(
      Object.fromEntries(STACKS.map((name) => [name, name === 'w0-eu-west-1' ? 'failed' : 'not-touched'])),
    );
    expect(terraform.steps('apply')).toEqual([]);
  });

  /** Replaces the stack's saved plan file and writes its hash into the record, as an attacker with the folder would. */
  const swapPlanFile = (stack: string, content: Buffer) => {
    fs.writeFileSync(bench.plans.planFile(stack), content);
    const recordFile = path.join(bench.plans.dir, `${stack}.json`);
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { planSha256: string };
    record.planSha256 = createHash('sha256').update(content).digest('hex');
    fs.writeFileSync(recordFile, JSON.stringify(record));
  };
  const TLS = [{ tls_policy: 'REQUIRE' }];

  test("a plan file made from another configuration, with the same actions and its hash in the record, is refused: the configuration inside it is not this stack's", async () => {
    const w0 = bench.stack('w0-eu-west-1');
    // Reviewed: the TLS policy relaxed. Swapped in: sending disabled, planned from another environment file.
    const reviewed = updatesSet(
      w0,
      'mail',
      { delivery_options: TLS },
      { delivery_options: [{ tls_policy: 'OPTIONAL' }] },
    );
    const terraform = await planned({ ...firstPlans(), 'w0-eu-west-1': { plans: [reviewed] } });
    const stackDir = path.join(bench.outdir, 'stacks', 'w0-eu-west-1');
    const other = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    other['//'] = { planned: 'from another environment file' };
    const disabling = updatesSet(
      w0,
      'mail',
      { sending_options: [{ sending_enabled: true }] },
      { sending_options: [{ sending_enabled: false }] },
    );
    swapPlanFile('w0-eu-west-1', planFileOf(disabling, Buffer.from(JSON.stringify(other))));
    const report = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(report, 'w0-eu-west-1').error).toBe(
      "the saved plan file was not made from this stack's configuration as synthesized now (the copy Terraform keeps inside the file differs): nothing was applied; run `sesform plan --env w0` again and review it.",
    );
    expect(report.stopped).toBe('A saved plan file does not match its record, so nothing was applied in any stack.');
    expect(terraform.steps('apply')).toEqual([]);

    // The same file with this stack's configuration inside: Terraform's reading of it shows values the
    // record never had.
    swapPlanFile('w0-eu-west-1', planFileOf(disabling, fs.readFileSync(path.join(stackDir, 'cdk.tf.json'))));
    const again = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(again, 'w0-eu-west-1').error).toBe(
      'the saved plan file does not change what its record says (what the file does: ~ configuration set mail: update in place; sending enabled true -> false): nothing was applied; run `sesform plan --env w0` again and review it.',
    );
    expect(terraform.steps('apply')).toEqual([]);
  });

  test('what an apply reports is what the plan files do, not what their records say', async () => {
    const terraform = await planned();
    const recordFile = path.join(bench.plans.dir, 'w0-eu-west-1.json');
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
    record.changes.configurationSets[0].name = 'Everything below was reviewed';
    fs.writeFileSync(recordFile, JSON.stringify(record));
    const report = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(report, 'w0-eu-west-1').error).toMatch(
      /^the saved plan file does not change what its record says \(what the file does: \+ configuration set mail: create; /,
    );
    expect(renderText(report)).not.toContain('Everything below was reviewed');
    expect(terraform.steps('apply')).toEqual([]);
  });

  test('destroy protection: a set of a protected environment deleted is refused (exit 3) until --allow-destroy names it', async () => {
    const w2 = bench.stack('w2-eu-west-1');
    const terraform = bench.terraform({ ...firstPlans(), 'w2-eu-west-1': { plans: [deletesSet(w2, 'mail')] } });
    const plan = await bench.engine(terraform).plan();
    // The plan says it first, before any detail.
    expect(renderText(plan).split('\n')).toContain(
      '!! w2-eu-west-1: configuration set "mail" will be DESTROYED (protected environment)',
    );
    expect(renderText(plan)).toContain('- configuration set mail: DESTROY');
    const refused = await bench.engine(terraform).apply(autoApprove);
    expect(refused.exitCode).toBe(EXIT.guardrail);
    expect(refused.refusals).toEqual([
      {
        stack: 'w2-eu-west-1',
        configurationSet: 'mail',
        reason: 'destroy-protection',
        message: expect.stringContaining('If that is intended, apply with --allow-destroy mail.'),
      },
    ]);
    expect(refused.stopped).toBe('Refused by destroy protection: nothing was applied.');
    expect(terraform.steps('apply')).toEqual([]);
    expect(renderMarkdown(refused)).toContain('destroys configuration set "mail" of protected environment "w2"');

    const allowed = await bench.engine(terraform).apply({ allowDestroy: ['mail'] });
    expect(allowed.exitCode).toBe(EXIT.ok);
    expect(terraform.steps('apply')).toEqual(STACKS.map((name) => `${name} apply`));
  });

  test('rollout asks before each wave; a "no" stops there and leaves the later waves untouched', async () => {
    const terraform = bench.terraform(firstPlans());
    const questions: string[] = [];
    const report = await bench.engine(terraform).rollout({
      allowDestroy: [],
      confirm: async (question) => questions.push(question) < 2,
    });
    expect(questions).toHaveLength(2);
    expect(questions[1]).toMatch(/^Apply wave 1\?\n {2}w1-eu-west-1 \(account 750000000001\): /);
    expect(questions[1]).toContain('+ configuration set mail: create');
    expect(outcomes(report)).toEqual({
      'w0-eu-west-1': 'applied',
      'w1-eu-west-1': 'not-touched',
      'w2-eu-west-1': 'not-touched',
    });
    expect(report.stopped).toBe(
      'Stopped before wave 1: not confirmed. Waves before it are applied; the rest was not touched.',
    );
  });
});

describe('interruptions', () => {
  test('SIGINT mid-apply: running terraform is stopped once, later waves untouched, exit 130; the next plan takes over what was created', async () => {
    const terraform = bench.terraform(firstPlans());
    await bench.engine(terraform).plan();
    terraform.script('w0-eu-west-1').applyHangs = true;
    const engine = bench.engine(terraform);
    const running = engine.apply(autoApprove);
    await terraform.applyStarted;
    await engine.interrupt('SIGINT');
    const report = await running;
    expect(report.exitCode).toBe(EXIT.interrupted);
    expect(report.interrupted).toBe('SIGINT');
    expect(report.stopped).toBe(
      'Interrupted by SIGINT: nothing was applied; interrupted w0-eu-west-1; not touched w1-eu-west-1, w2-eu-west-1.',
    );
    expect(stackIn(report, 'w0-eu-west-1').error).toMatch(
      /^interrupted by SIGINT: terraform apply failed \(exit 1\):\n[\s\S]*context canceled/,
    );
    expect(terraform.steps('apply')).toEqual(['w0-eu-west-1 apply']);
    // The marker of what the apply was creating stays: the next plan imports what exists.
    const w0 = bench.stack('w0-eu-west-1');
    const [set] = w0.configurationSets;
    expect(bench.plans.interruptedApply('w0-eu-west-1')?.map((create) => create.importId)).toEqual([
      'mail',
      'mail|events',
    ]);
    const apply = await bench.engine(terraform).apply(autoApprove);
    expect(stackIn(apply, 'w0-eu-west-1').error).toBe(
      'an earlier apply of this plan was interrupted: run `sesform plan --env w0` (it takes over what that apply created), then apply.',
    );
    // The set was created before the interruption, the destination was not.
    terraform.script('w0-eu-west-1').missing = ['mail|events'];
    terraform.script('w0-eu-west-1').applyHangs = false;
    const replanned = await bench.engine(terraform).plan();
    expect(stackIn(replanned, 'w0-eu-west-1').recovered).toEqual([
      `${set.address} (mail), created by an interrupted apply, imported into the state`,
    ]);
    expect(terraform.steps('import')).toEqual([
      `w0-eu-west-1 import ${set.address} mail`,
      `w0-eu-west-1 import ${set.destinations[0].address} mail|events`,
    ]);
    expect(bench.plans.interruptedApply('w0-eu-west-1')).toBeUndefined();
  });

  test('SIGTERM during planning: stacks not started are reported as not started', async () => {
    const terraform = bench.terraform(firstPlans());
    const engine: Engine = bench.engine(terraform, {
      concurrency: 1,
      step: (event) => {
        if (event.stack === 'w0-eu-west-1' && event.step === 'plan' && event.state === 'finished')
          void engine.interrupt('SIGTERM');
      },
    });
    const report = await engine.plan();
    expect(report.exitCode).toBe(EXIT.interrupted);
    expect(report.stopped).toBe(
      'Interrupted by SIGTERM: finished w0-eu-west-1; not started w1-eu-west-1, w2-eu-west-1.',
    );
    expect(terraform.steps('plan')).toEqual(['w0-eu-west-1 plan']);
  });
});

describe('review', () => {
  test('rollout --reviewed applies only plans identical to the reviewed ones; a plan that moved is refused before any wave', async () => {
    const reviewedDir = path.join(bench.root, 'reviewed');
    const terraform = bench.terraform(firstPlans());
    await bench.engine(terraform).plan();
    fs.cpSync(bench.plans.dir, reviewedDir, { recursive: true });

    // The state moved since review: w1's set now exists with sending disabled, the plan updates it.
    terraform.script('w1-eu-west-1').plans = [
      updatesSet(
        bench.stack('w1-eu-west-1'),
        'mail',
        { sending_options: [{ sending_enabled: false }] },
        { sending_options: [{ sending_enabled: true }] },
      ),
    ];
    const moved = await bench.engine(terraform, { reviewed: reviewedDir }).rollout(autoApprove);
    expect(moved.exitCode).toBe(EXIT.guardrail);
    expect(moved.refusals.map((refusal) => [refusal.stack, refusal.reason])).toEqual([
      ['w1-eu-west-1', 'not-reviewed'],
    ]);
    expect(moved.refusals[0].message).toContain(
      'planned now, not reviewed: ~ configuration set mail: update in place; sending enabled false -> true',
    );
    expect(terraform.steps('apply')).toEqual([]);

    terraform.script('w1-eu-west-1').plans = [createsAll(bench.stack('w1-eu-west-1'))];
    const same = await bench.engine(terraform, { reviewed: reviewedDir }).rollout(autoApprove);
    expect(same.exitCode).toBe(EXIT.ok);
    expect(terraform.steps('apply')).toEqual(STACKS.map((name) => `${name} apply`));
  });
});

test('a reviewed record that is not a valid record (`changes: {}`) sends that plan back to review; no stack fails', async () => {
  const reviewedDir = path.join(bench.root, 'reviewed');
  const terraform = bench.terraform(firstPlans());
  await bench.engine(terraform).plan();
  fs.cpSync(bench.plans.dir, reviewedDir, { recursive: true });
  const recordFile = path.join(reviewedDir, 'w1-eu-west-1.json');
  fs.writeFileSync(recordFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(recordFile, 'utf8')), changes: {} }));
  const report = await bench.engine(terraform, { reviewed: reviewedDir }).rollout(autoApprove);
  expect(report.exitCode).toBe(EXIT.guardrail);
  expect(report.stacks.filter((stack) => stack.outcome === 'failed')).toEqual([]);
  expect(report.refusals.map((refusal) => [refusal.stack, refusal.reason])).toEqual([['w1-eu-west-1', 'not-reviewed']]);
  expect(stackIn(report, 'w1-eu-west-1').review?.differences).toEqual([
    expect.stringMatching(
      /^the reviewed record is not usable \(.*w1-eu-west-1\.json: not a sesform plan record\. changes\.counts: /,
    ),
  ]);
  expect(terraform.steps('apply')).toEqual([]);
});

describe('drift', () => {
  test('an unchanged stack costs one terraform process; a changed one is read with show and reported', async () => {
    const w1 = bench.stack('w1-eu-west-1');
    const terraform = bench.terraform({
      'w1-eu-west-1': {
        plans: [
          updatesSet(
            w1,
            'mail',
            { sending_options: [{ sending_enabled: false }] },
            { sending_options: [{ sending_enabled: true }] },
          ),
        ],
      },
    });
    const report = await bench.engine(terraform).drift();
    expect(outcomes(report)).toEqual({
      'w0-eu-west-1': 'in-sync',
      'w1-eu-west-1': 'drifted',
      'w2-eu-west-1': 'in-sync',
    });
    expect(terraform.steps('plan', 'show')).toEqual(
      expect.arrayContaining(['w0-eu-west-1 plan', 'w1-eu-west-1 plan', 'w1-eu-west-1 show', 'w2-eu-west-1 plan']),
    );
    expect(terraform.steps('plan', 'show')).toHaveLength(4);
    expect(report.exitCode).toBe(EXIT.changes);
  });

  test('a stack whose state holds nothing (a fresh emulator, a never-applied stack) is not drifted, and the report says what to run', async () => {
    const w1 = bench.stack('w1-eu-west-1');
    const terraform = bench.terraform({ 'w1-eu-west-1': { plans: [createsAll(w1)] } });
    const report = await bench.engine(terraform).drift();
    expect(outcomes(report)).toEqual({
      'w0-eu-west-1': 'in-sync',
      'w1-eu-west-1': 'no-state',
      'w2-eu-west-1': 'in-sync',
    });
    // Still not in sync (an apply would create things), but nothing drifted.
    expect(report.exitCode).toBe(EXIT.changes);
    expect(report.stacks.find((stack) => stack.stack === 'w1-eu-west-1')!.drift?.resources).toEqual([]);
    const text = renderText(report);
    expect(text).toContain('no state: nothing has been applied to this stack where its state lives');
    expect(text).toContain('NOTE: No state for 1 stack(s) (w1-eu-west-1) at their state keys');
    expect(text).toContain('What an apply would create: npx sesform plan --env w1');
    expect(renderMarkdown(report)).toContain('**Note:** No state for 1 stack(s)');
    // The same run in local mode: the emulator keeps state only while it runs.
    const local = renderText({ ...report, local: true });
    expect(local).toContain('NOTE: The emulator holds no state for 1 stack(s) (w1-eu-west-1)');
    expect(local).toContain(
      'Keep one running (npx sesform emulator, then export the SESFORM_LOCAL_ENDPOINT it prints)',
    );
    expect(local).toContain('npx sesform rollout --local --env w1 --auto-approve');
  });
});

test('an unreachable emulator fails every stack at once with a clear message, exit 1, nothing run', async () => {
  const dead = 'http://127.0.0.1:9';
  const terraform = bench.terraform(firstPlans());
  const engine = bench.engine(terraform, { local: localTarget(dead, '5.100.0') });
  for (const report of [await engine.plan(), await engine.apply(autoApprove)]) {
    expect(report.exitCode).toBe(EXIT.error);
    for (const stack of report.stacks)
      expect([stack.outcome, stack.error]).toEqual([
        'failed',
        `the emulator at ${dead} is not reachable (ECONNREFUSED); nothing was run. Start one with \`sesform emulator\`, or leave out --endpoint and sesform starts its own.`,
      ]);
  }
  expect(terraform.calls).toEqual([]);
  expect(fs.existsSync(bench.plans.dir)).toBe(false);
});

test('shards: each job plans its share of every wave; their reports merge into one report and one exit code', async () => {
  const terraform = bench.terraform({ ...firstPlans(), 'w1-eu-west-1': {} });
  const reports: RunReport[] = [];
  for (const index of [1, 2]) {
    const stacks = selectStacks(bench.fleet.stacks, { shard: { index, count: 2 } });
    const engine = bench.engine(terraform, { stacks, shard: `${index}/2` });
    reports.push(await engine.plan());
  }
  // Every stack in exactly one shard.
  expect(reports.flatMap((report) => report.stacks.map((stack) => stack.stack)).sort()).toEqual(STACKS);
  const merged = mergeReports(reports);
  expect(merged.exitCode).toBe(EXIT.changes);
  expect(outcomes(merged)).toEqual({
    'w0-eu-west-1': 'planned',
    'w1-eu-west-1': 'no-changes',
    'w2-eu-west-1': 'planned',
  });
  expect(() => mergeReports([reports[0], reports[0]])).toThrow(
    `stack ${reports[0].stacks[0].stack} is in more than one report: were the shards overlapping?`,
  );
});

test('unlock: a released lock is said to be released, from what the S3 backend answers', async () => {
  // Terraform's own answer for a lock already gone (fixtures/terraform/force-unlock-released.json).
  const terraform = bench.terraform({ 'w0-eu-west-1': { fail: { 'force-unlock': ['force-unlock-released'] } } });
  fs.mkdirSync(path.join(bench.outdir, 'stacks', 'w0-eu-west-1', '.terraform'), { recursive: true });
  expect(await unlockStack(bench.outdir, 'w0-eu-west-1', 'some-id', false, terraform)).toBe(false);
  expect(await unlockStack(bench.outdir, 'w0-eu-west-1', 'some-id', false, terraform)).toBe(true);
});
