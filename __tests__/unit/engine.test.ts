/**
 * The engine's pure parts: plan JSON read in SES terms, shards, reports (exit codes, merge, text,
 * Markdown), lock detection and the retry policy. The engine against Terraform is tested end to end.
 */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { beyondReviewed, pendingCreates, plannedActions, SavedPlan } from '../../src/engine/plan-store';
import { renderMarkdown, renderText, wavesDiagram } from '../../src/report/text';
import { RunReport, StackReport, exitCodeOf, mergeReports, parseReport } from '../../src/report/run-report';
import { withRetries } from '../../src/engine/retry';
import { parseShard, shardOf } from '../../src/engine/scheduling';
import { loadEnvironments } from '../../src/fleet/loader';
import type { FleetStack } from '../../src/fleet/fleet';
import { stepError } from '../../src/terraform/errors';
import { captured } from '../helpers/scripted-terraform';
import { PlanJson, ResourceChangeJson } from '../../src/terraform/runner';
import { acknowledge } from '../../src/engine/drift-acknowledgements';
import { errorHeadline } from '../../src/engine/engine';
import { lineDisplay, progressDisplay, rowText } from '../../src/engine/progress-display';
import { EnvironmentSchema } from '../../src/environment/schema';
import { PROJECT_ROOT, environmentFields } from '../helpers/synth';

const SAMPLES = loadEnvironments(path.join(PROJECT_ROOT, 'environments')).fleet;

const destination = (set: string, name: string, eventTypes: string[], dimensions: string[], enabled = true) => ({
  configuration_set_name: set,
  event_destination_name: name,
  event_destination: [
    {
      enabled,
      matching_event_types: eventTypes,
      cloud_watch_destination: [
        {
          dimension_configuration: dimensions.map((dimension) => ({
            dimension_name: dimension,
            dimension_value_source: 'MESSAGE_TAG',
            default_dimension_value: 'none',
          })),
        },
      ],
    },
  ],
});

function change(
  address: string,
  actions: string[],
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): ResourceChangeJson {
  const type = address.split('.')[0];
  return { address, type, name: address.split('.')[1], change: { actions, before, after } };
}

describe('saved plans', () => {
  const reviewed = (actions: Record<string, string>): SavedPlan =>
    ({ stack: 's', configHash: '', createdAt: '', actions, creates: [] }) as unknown as SavedPlan;
  const plan: PlanJson = {
    resource_changes: [
      change('aws_sesv2_configuration_set.a', ['create'], null, { configuration_set_name: 'a' }),
      change('aws_sesv2_configuration_set_event_destination.d', ['create'], null, destination('a', 'd', ['SEND'], [])),
      change('aws_sesv2_configuration_set.b', ['no-op'], {}, {}),
    ],
  };

  test('what a plan creates, with the IDs that import it after an interrupted apply', () => {
    // The import IDs come from the fleet model, by address.
    const stack = {
      configurationSets: [
        {
          address: 'aws_sesv2_configuration_set.a',
          importId: 'a',
          destinations: [{ address: 'aws_sesv2_configuration_set_event_destination.d', importId: 'a|d' }],
        },
      ],
    } as unknown as FleetStack;
    expect(pendingCreates(plan, stack)).toEqual([
      { address: 'aws_sesv2_configuration_set.a', importId: 'a' },
      { address: 'aws_sesv2_configuration_set_event_destination.d', importId: 'a|d' },
    ]);
  });

  test('a fresh plan stays within the reviewed one only with the same resources and actions', () => {
    const saved = reviewed(plannedActions(plan));
    expect(beyondReviewed(saved, { resource_changes: plan.resource_changes!.slice(1) })).toEqual([]);
    expect(
      beyondReviewed(saved, {
        resource_changes: [change('aws_sesv2_configuration_set.a', ['delete', 'create'], {}, {})],
      }),
    ).toEqual(['aws_sesv2_configuration_set.a (delete,create)']);
  });
});

describe('shards', () => {
  const fleet = Array.from(
    { length: 23 },
    (_, index) =>
      ({
        name: `env${String(index).padStart(2, '0')}-eu-west-1`,
        wave: index < 3 ? 0 : index < 13 ? 1 : 2,
      }) as FleetStack,
  );

  test('every stack is in exactly one shard, and the same input gives the same shards', () => {
    const shards = [1, 2, 3, 4].map((index) => shardOf(fleet, { index, count: 4 }));
    expect(
      shards
        .flat()
        .map((target) => target.name)
        .sort(),
    ).toEqual(fleet.map((target) => target.name).sort());
    expect(shardOf(fleet, { index: 2, count: 4 })).toEqual(shards[1]);
  });

  test('every wave is dealt evenly: shard sizes within a wave differ by at most one', () => {
    const shards = [1, 2, 3].map((index) => shardOf(fleet, { index, count: 3 }));
    for (const wave of [0, 1, 2]) {
      const sizes = shards.map((shard) => shard.filter((target) => target.wave === wave).length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    const totals = shards.map((shard) => shard.length);
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(1);
  });

  test('--shard I/N is checked', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '2'])
      expect(() => parseShard(bad)).toThrow(`--shard ${bad}: expected I/N with 1 <= I <= N <= 1000, e.g. --shard 2/4.`);
  });

  test('the samples: stacks in wave order, then by name', () => {
    const order = SAMPLES.stacks.map((stack) => [stack.wave, stack.name] as const);
    const sorted = [...order].sort(([waveA, nameA], [waveB, nameB]) => waveA - waveB || nameA.localeCompare(nameB));
    expect(order).toEqual(sorted);
    expect(order.map(([, name]) => name)).toEqual(
      expect.arrayContaining(['dev-eu-west-1', 'staging-eu-west-1', 'prod-eu-west-1', 'prod-us-east-1']),
    );
  });
});

function stackReport(
  stack: string,
  wave: number,
  outcome: StackReport['outcome'],
  extra: Partial<StackReport> = {},
): StackReport {
  return {
    stack,
    environment: stack.split('-')[0],
    accountId: '111111111111',
    region: 'eu-west-1',
    wave,
    protect: false,
    outcome,
    retries: [],
    recovered: [],
    ...extra,
  };
}

function runReport(command: RunReport['command'], stacks: StackReport[], extra: Partial<RunReport> = {}): RunReport {
  const report: RunReport = { command, local: false, stacks, refusals: [], exitCode: 0, ...extra };
  report.exitCode = exitCodeOf(report);
  return report;
}

describe('reports', () => {
  test('exit codes: 1 on failure, else 3 on refusal, else 2 with changes or drift left, else 0', () => {
    expect(runReport('plan', [stackReport('a', 0, 'no-changes')]).exitCode).toBe(0);
    expect(runReport('plan', [stackReport('a', 0, 'planned')]).exitCode).toBe(2);
    expect(runReport('drift', [stackReport('a', 0, 'drifted')]).exitCode).toBe(2);
    expect(
      runReport('apply', [stackReport('a', 0, 'not-touched')], {
        refusals: [{ stack: 'a', reason: 'destroy-protection', message: 'no' }],
      }).exitCode,
    ).toBe(3);
    expect(runReport('apply', [stackReport('a', 0, 'failed'), stackReport('b', 1, 'not-touched')]).exitCode).toBe(1);
    expect(runReport('apply', [stackReport('a', 0, 'applied'), stackReport('b', 1, 'no-changes')]).exitCode).toBe(0);
  });

  test('merge: stacks in wave order, the worst exit code, refusals kept', () => {
    const merged = mergeReports([
      runReport('plan', [stackReport('b', 1, 'planned')], { shard: '2/2' }),
      runReport('plan', [stackReport('a', 0, 'no-changes')], {
        shard: '1/2',
        refusals: [{ stack: 'a', reason: 'not-reviewed', message: 'x' }],
      }),
    ]);
    expect(merged.stacks.map((stack) => stack.stack)).toEqual(['a', 'b']);
    expect(merged.exitCode).toBe(3);
    expect(merged.shard).toBeUndefined();
    expect(() => mergeReports([runReport('plan', []), runReport('drift', [])])).toThrow(
      'cannot merge reports of different commands: plan, drift.',
    );
    expect(() => parseReport('{"ok": true}', 'x.json')).toThrow(
      'x.json: not a sesform report (write one with --json).',
    );
  });

  const losing = runReport('rollout', [
    stackReport('dev-eu-west-1', 0, 'applied'),
    stackReport('prod-eu-west-1', 1, 'failed', {
      protect: true,
      error: 'boom',
      changes: {
        counts: { add: 0, change: 0, replace: 0, destroy: 1, import: 0 },
        configurationSets: [
          {
            address: 'aws_sesv2_configuration_set.transactional_1',
            name: 'transactional',
            action: 'delete',
            changes: [],
            eventTypesAdded: [],
            eventTypesRemoved: [],
            dimensions: [],
          },
        ],
        destinations: [],
        metrics: { before: 10, after: 4 },
      },
    }),
    stackReport('prod-us-east-1', 2, 'not-touched'),
  ]);

  test('text: destroyed sets first, then each stack in SES terms', () => {
    const text = renderText(losing).split('\n');
    expect(text[0]).toBe('sesform rollout: 3 stack(s): 1 applied, 1 failed, 1 not-touched');
    expect(text[1]).toBe(
      '!! prod-eu-west-1: configuration set "transactional" will be DESTROYED (protected environment)',
    );
    expect(text).toContain('    - configuration set transactional: DESTROY');
    expect(text).toContain('    custom metrics 10 -> 4 (-6); USD 3.00 -> 1.20 (-1.80) a month');
    expect(text).toContain('exit 1');
  });

  test('Markdown: a caution block for lost sets, a Mermaid diagram of the waves, a table', () => {
    const markdown = renderMarkdown(losing);
    expect(markdown.indexOf('> [!CAUTION]')).toBeLessThan(markdown.indexOf('```mermaid'));
    expect(wavesDiagram(losing).split('\n')).toEqual([
      '```mermaid',
      'flowchart LR',
      '  subgraph wave0["wave 0"]',
      '    dev_eu_west_1["✅ dev-eu-west-1<br/>applied"]:::applied',
      '  end',
      '  subgraph wave1["wave 1"]',
      '    prod_eu_west_1["❌ prod-eu-west-1<br/>failed"]:::failed',
      '  end',
      '  subgraph wave2["wave 2"]',
      '    prod_us_east_1["⏸️ prod-us-east-1<br/>not-touched"]:::not_touched',
      '  end',
      '  wave0 --> wave1',
      '  wave1 --> wave2',
      expect.stringContaining('classDef applied'),
      ...Array(7).fill(expect.stringContaining('classDef')),
      '```',
    ]);
    expect(markdown).toContain('| prod-eu-west-1 | 111111111111 | 1 | ❌ failed | 0 | 0 | 0 | 1 | 10 -> 4 (-6) |');
    expect(renderMarkdown(runReport('plan', [stackReport('a', 0, 'planned')]))).not.toContain('mermaid');
  });
});

describe('locks and retries', () => {
  test("a failure in a progress line is not cut after its colon: the first line of Terraform's message follows", () => {
    expect(
      errorHeadline(
        'terraform init failed (exit 1):\nError: Failed to query available provider packages\n\nCould not retrieve ...',
      ),
    ).toBe('terraform init failed (exit 1): Error: Failed to query available provider packages');
    expect(errorHeadline('s: the state is locked by OperationTypeApply')).toBe(
      's: the state is locked by OperationTypeApply',
    );
  });

  test('a terraform killed by a signal is named as killed, with what it may have left, not as "exit 1"', () => {
    const killed = stepError('s', 'apply', { code: 1, stdout: '', stderr: '', signal: 'SIGKILL' });
    expect(killed.message).toBe(
      's: terraform apply was killed by SIGKILL (out of memory, or stopped from outside); a killed terraform can leave its state lock behind, which the next run reports with the command that clears it.',
    );
  });

  test('report of a missing file says so, with how a run writes one', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk) => (text += chunk));
    const code = await main(['report', '/nonexistent/plan.json'], out, out);
    expect(code).toBe(1);
    expect(text).toContain(
      '/nonexistent/plan.json: no such report file (a run writes one with --json, for example `sesform plan --all --json > plan.json`).',
    );
    expect(text).not.toContain('ENOENT');
  });

  test('retries transient errors a bounded number of times, says so, and never retries others', async () => {
    const said: string[] = [];
    let calls = 0;
    const serverError = () => stepError('s', 'plan', captured('plan-server-error'));
    const flaky = () => (++calls < 3 ? Promise.reject(serverError()) : Promise.resolve('ok'));
    await expect(
      withRetries(flaky, { baseMs: 1, onRetry: (attempt, cause) => said.push(`${attempt}: ${cause}`) }),
    ).resolves.toBe('ok');
    const cause = expect.stringMatching(/^Error: reading AWS SESv2 .*StatusCode: 500/);
    expect(said).toEqual([expect.stringMatching(/^2: /), expect.stringMatching(/^3: /)]);
    expect(said.map((line) => line.slice(3))).toEqual([cause, cause]);

    calls = 0;
    const always = () => (++calls, Promise.reject(serverError()));
    await expect(withRetries(always, { baseMs: 1, attempts: 3, onRetry: () => undefined })).rejects.toThrow(
      'terraform plan failed',
    );
    expect(calls).toBe(3);

    calls = 0;
    const permanent = () => (++calls, Promise.reject(stepError('s', 'apply', captured('apply-bad-request'))));
    await expect(withRetries(permanent, { baseMs: 1, onRetry: () => undefined })).rejects.toThrow();
    expect(calls).toBe(1);
  });
});

describe('engine commands: input checked before anything runs', () => {
  async function run(...argv: string[]) {
    const [out, err] = [new PassThrough(), new PassThrough()];
    let [stdout, stderr] = ['', ''];
    out.on('data', (chunk) => (stdout += chunk));
    err.on('data', (chunk) => (stderr += chunk));
    const code = await main([...argv, '--environments', path.join(PROJECT_ROOT, 'environments')], out, err);
    return { code, stdout, stderr };
  }

  test('--env and --all: one of them, not both', async () => {
    expect((await run('drift', '--all', '--env', 'dev')).stderr).toContain(
      'drift needs the environments to work on: --env NAME (repeatable) or --all, not both.',
    );
  });

  test('an unknown environment is named with a suggestion', async () => {
    const { code, stdout } = await run('plan', '--env', 'prd');
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /--env prd: no environment has this name \(the environments: [^)]*\bprod\b[^)]*\)\. Did you mean "prod"\?/,
    );
  });

  test('bad numbers and shards are refused', async () => {
    expect((await run('plan', '--all', '--concurrency', '0')).stderr).toContain(
      '--concurrency 0: expected a whole number from 1 to 256.',
    );
    expect((await run('plan', '--all', '--shard', '3/2')).stderr).toContain('--shard 3/2: expected I/N');
  });

  test('rollout without --auto-approve and without a terminal refuses instead of hanging', async () => {
    const isTTY = process.stdin.isTTY;
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    const { code, stderr } = await run('rollout', '--all').finally(() =>
      Object.defineProperty(process.stdin, 'isTTY', { value: isTTY, configurable: true }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      'rollout asks before each wave, which needs a terminal: in a pipeline, pass --auto-approve.',
    );
  });
});

describe('drift acknowledgements', () => {
  const found = {
    unmanagedSets: ['console-test', 'legacy', 'orders-copy'],
    unmanagedDestinations: [
      { configurationSet: 'orders', name: 'hand-made' },
      { configurationSet: 'orders', name: 'other' },
    ],
  };
  const environment = (ignore: { match: string; reason: string; expires?: string }[]) => ({ drift: { ignore } });

  test('a pattern without "/" names sets only; "*" stays within a name', () => {
    const result = acknowledge(environment([{ match: 'orders*', reason: 'r' }]), found, '2026-11-28');
    expect(result.unmanagedSets).toEqual(['console-test', 'legacy']);
    expect(result.unmanagedDestinations).toEqual(found.unmanagedDestinations);
    expect(result.acknowledged).toEqual([{ kind: 'configuration set', name: 'orders-copy', reason: 'r' }]);
  });

  test('an acknowledgement applies through its expiry day, not the day after', () => {
    const list = environment([{ match: 'orders/hand-made', reason: 'r', expires: '2026-11-28' }]);
    expect(acknowledge(list, found, '2026-11-28').unmanagedDestinations).toEqual([
      { configurationSet: 'orders', name: 'other' },
    ]);
    const dayAfter = acknowledge(list, found, '2026-11-29');
    expect(dayAfter.unmanagedDestinations).toEqual(found.unmanagedDestinations);
    expect(dayAfter.expired).toEqual([
      { kind: 'destination', name: 'orders/hand-made', reason: 'r', expires: '2026-11-28', expired: true },
    ]);
  });

  test.each([
    [{ match: 'a/b/c', reason: 'r' }, 'drift.ignore[0].match', /is not a set name or "set\/destination"/],
    [{ match: 'a', reason: ' ' }, 'drift.ignore[0].reason', /say why the finding is acknowledged/],
    [
      { match: 'a', reason: 'r', expires: '2027-02-30' },
      'drift.ignore[0].expires',
      /is not a date such as "2027-03-31"/,
    ],
  ])('refuses %j in the file', (entry, field, message) => {
    const parsed = EnvironmentSchema.safeParse(
      environmentFields('ack', '740000000013', { drift: { ignore: [entry] } }),
    );
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues.find(
      (candidate) => candidate.path.join('.').replace(/\.(\d+)/g, '[$1]') === field,
    );
    expect(issue?.message).toMatch(message);
  });
});

describe('progress of every stack and step', () => {
  test('without a terminal (CI): one line per stack and step as it starts and ends, with its time', () => {
    let text = '';
    const display = lineDisplay((chunk) => (text += chunk));
    display.step({ stack: 'dev-eu-west-1', step: 'init', state: 'started' });
    display.step({ stack: 'dev-eu-west-1', step: 'init', state: 'finished', seconds: 1.25 });
    display.line('wave 0: applying dev-eu-west-1');
    display.step({ stack: 'dev-eu-west-1', step: 'apply', state: 'failed', seconds: 12 });
    expect(text).toBe(
      'dev-eu-west-1: init...\ndev-eu-west-1: init done after 1.3 s\nwave 0: applying dev-eu-west-1\ndev-eu-west-1: apply FAILED after 12.0 s\n',
    );
  });

  test("on a terminal, each stack's row: the step running and its time so far, or how the last one ended", () => {
    const since = 1_000_000;
    expect(rowText('dev-eu-west-1', 15, { step: 'plan', state: 'started', since }, since + 12_340)).toBe(
      'dev-eu-west-1    plan...          12.3 s',
    );
    expect(rowText('prod-us-east-1', 15, { step: 'apply', state: 'finished', since, took: 40 }, since + 99_000)).toBe(
      'prod-us-east-1   apply done       40.0 s',
    );
  });

  test('a stream that is no terminal gets lines, never cursor movement', () => {
    const written: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk) => written.push(String(chunk)));
    const display = progressDisplay(stream, ['a-eu-west-1']);
    display.step({ stack: 'a-eu-west-1', step: 'plan', state: 'started' });
    display.stop();
    expect(written.join('')).toBe('a-eu-west-1: plan...\n');
  });
});
