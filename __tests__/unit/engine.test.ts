/**
 * The engine's pure parts: plan JSON read in SES terms, shards, reports (exit codes, merge, text,
 * Markdown), lock detection and the retry policy. The engine against Terraform is tested end to end.
 */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { costOf } from '../../src/cost/cost-model';
import { changedAttributes, driftedResources, stackChanges } from '../../src/engine/changes';
import { lockOf } from '../../src/engine/locks';
import { beyondReviewed, pendingCreates, plannedActions, SavedPlan } from '../../src/engine/plan-store';
import { renderMarkdown, renderText, wavesDiagram } from '../../src/engine/render';
import { RunReport, StackReport, exitCodeOf, mergeReports, parseReport } from '../../src/engine/report';
import { isTransient, withRetries } from '../../src/engine/retry';
import { StackTarget, parseShard, shardOf, targetsOf } from '../../src/engine/targets';
import { loadEnvironments } from '../../src/environment/loader';
import { PlanJson, ResourceChangeJson, StackStepError } from '../../src/terraform/stack-workspace';
import { PROJECT_ROOT } from '../helpers/synth';

const SAMPLES = loadEnvironments(path.join(PROJECT_ROOT, 'environments')).environments;

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

describe('stackChanges: a plan in SES terms', () => {
  const plan: PlanJson = {
    resource_changes: [
      change('aws_sesv2_configuration_set.old', ['delete'], { configuration_set_name: 'old' }, null),
      change(
        'aws_sesv2_configuration_set.renamed',
        ['delete', 'create'],
        { configuration_set_name: 'a', tags: null },
        { configuration_set_name: 'b', tags: {} },
      ),
      change(
        'aws_sesv2_configuration_set_event_destination.engagement',
        ['update'],
        destination('marketing', 'engagement', ['CLICK', 'OPEN'], ['campaign']),
        destination('marketing', 'engagement', ['CLICK', 'SEND'], ['campaign', 'link']),
      ),
      change(
        'aws_sesv2_configuration_set_event_destination.new',
        ['create'],
        null,
        destination('marketing', 'new', ['BOUNCE'], []),
      ),
      change(
        'aws_sesv2_configuration_set.same',
        ['no-op'],
        { configuration_set_name: 'same' },
        { configuration_set_name: 'same' },
      ),
    ],
  };

  test('counts replacements apart from adds and destroys, and names the sets and their action', () => {
    const changes = stackChanges(plan);
    expect(changes.counts).toEqual({ add: 1, change: 1, replace: 1, destroy: 1, import: 0 });
    expect(changes.configurationSets).toEqual([
      { name: 'old', action: 'delete', attributes: [] },
      { name: 'b', action: 'replace', attributes: ['configuration_set_name'] },
    ]);
  });

  test('lists the event types and dimensions added and removed, and the metrics before and after', () => {
    const [engagement, added] = stackChanges(plan).destinations;
    expect(engagement).toMatchObject({
      action: 'update',
      eventTypesAdded: ['SEND'],
      eventTypesRemoved: ['OPEN'],
      dimensionsAdded: ['link'],
      dimensionsRemoved: [],
      // Default estimates: 10 values + the default value per dimension.
      metricsBefore: 2 * 11,
      metricsAfter: 2 * 11 * 11,
    });
    expect(added).toMatchObject({ action: 'create', eventTypesAdded: ['BOUNCE'], metricsBefore: 0, metricsAfter: 1 });
  });

  test('uses the cost model figures of the declared dimensions', () => {
    const cost = costOf(SAMPLES).stacks.find((stack) => stack.stack === 'dev-eu-west-1')!;
    const changes = stackChanges(plan, cost);
    const engagement = changes.destinations[0];
    const declared = cost.destinations.find((candidate) => candidate.destination === 'engagement')!;
    const values = Object.fromEntries(declared.dimensions.map((dimension) => [dimension.name, dimension.values]));
    expect(engagement.metricsAfter).toBe(2 * values.campaign * values.link);
    expect(changes.metrics.after).toBe(cost.metrics);
    expect(changes.metrics.after - changes.metrics.before).toBe(
      changes.destinations.reduce((sum, each) => sum + each.metricsAfter - each.metricsBefore, 0),
    );
  });

  test('a disabled destination publishes no metrics', () => {
    const disabled = stackChanges({
      resource_changes: [
        change(
          'aws_sesv2_configuration_set_event_destination.off',
          ['update'],
          destination('s', 'off', ['SEND'], ['campaign']),
          destination('s', 'off', ['SEND'], ['campaign'], false),
        ),
      ],
    });
    expect(disabled.destinations[0]).toMatchObject({
      metricsBefore: 11,
      metricsAfter: 0,
      attributes: ['event_destination.enabled'],
    });
  });
});

describe('changedAttributes and drift', () => {
  test('names nested paths, and an unset value read back empty is no difference', () => {
    expect(changedAttributes({ a: 1, b: { c: [1] } }, { a: 1, b: { c: [2] } })).toEqual(['b.c']);
    expect(changedAttributes({ tags: null, x: [] }, { tags: {}, x: null })).toEqual([]);
  });

  test('resource_drift: changed attributes and deletions, normalisation noise left out', () => {
    const drifted = driftedResources({
      resource_drift: [
        change(
          'aws_sesv2_configuration_set_event_destination.d',
          ['update'],
          destination('s', 'd', ['SEND'], []),
          destination('s', 'd', ['SEND', 'OPEN'], []),
        ),
        change('aws_sesv2_configuration_set.gone', ['delete'], { configuration_set_name: 'gone' }, null),
        change(
          'aws_sesv2_configuration_set.noise',
          ['update'],
          { configuration_set_name: 'n', tags: null },
          { configuration_set_name: 'n', tags: {} },
        ),
      ],
    });
    expect(drifted).toEqual([
      {
        address: 'aws_sesv2_configuration_set_event_destination.d',
        kind: 'event destination',
        name: 's/d',
        change: 'changed',
        attributes: ['event_destination.matching_event_types'],
      },
      {
        address: 'aws_sesv2_configuration_set.gone',
        kind: 'configuration set',
        name: 'gone',
        change: 'deleted',
        attributes: [],
      },
    ]);
  });
});

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
    expect(pendingCreates(plan)).toEqual([
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
  const fleet: StackTarget[] = Array.from({ length: 23 }, (_, index) => ({
    stack: `env${String(index).padStart(2, '0')}-eu-west-1`,
    wave: index < 3 ? 0 : index < 13 ? 1 : 2,
    region: 'eu-west-1',
    file: '',
    environment: {} as StackTarget['environment'],
  }));

  test('every stack is in exactly one shard, and the same input gives the same shards', () => {
    const shards = [1, 2, 3, 4].map((index) => shardOf(fleet, { index, count: 4 }));
    expect(
      shards
        .flat()
        .map((target) => target.stack)
        .sort(),
    ).toEqual(fleet.map((target) => target.stack).sort());
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
      expect(() => parseShard(bad)).toThrow(`--shard ${bad}: expected I/N with 1 <= I <= N, e.g. --shard 2/4.`);
  });

  test('the samples: stacks in wave order', () => {
    expect(targetsOf(SAMPLES).map((target) => `${target.wave}:${target.stack}`)).toEqual([
      '0:dev-eu-west-1',
      '1:staging-eu-west-1',
      '2:prod-eu-west-1',
      '2:prod-us-east-1',
    ]);
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
    expect(runReport('apply', [stackReport('a', 0, 'not-touched')], { refusals: ['no'] }).exitCode).toBe(3);
    expect(runReport('apply', [stackReport('a', 0, 'failed'), stackReport('b', 1, 'not-touched')]).exitCode).toBe(1);
    expect(runReport('apply', [stackReport('a', 0, 'applied'), stackReport('b', 1, 'no-changes')]).exitCode).toBe(0);
  });

  test('merge: stacks in wave order, the worst exit code, refusals kept', () => {
    const merged = mergeReports([
      runReport('plan', [stackReport('b', 1, 'planned')], { shard: '2/2' }),
      runReport('plan', [stackReport('a', 0, 'no-changes')], { shard: '1/2', refusals: ['x'] }),
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
        configurationSets: [{ name: 'transactional', action: 'delete', attributes: [] }],
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
    expect(text).toContain('    custom metrics 10 -> 4 (-6)');
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
      ...Array(6).fill(expect.stringContaining('classDef')),
      '```',
    ]);
    expect(markdown).toContain('| prod-eu-west-1 | 111111111111 | 1 | ❌ failed | 0 | 0 | 0 | 1 | 10 -> 4 (-6) |');
    expect(renderMarkdown(runReport('plan', [stackReport('a', 0, 'planned')]))).not.toContain('mermaid');
  });
});

describe('locks and retries', () => {
  const failure = (stderr: string) => new StackStepError('s', 'apply', { code: 1, stdout: '', stderr });

  test('a lock is recognised with its ID, holder and the command that clears it', () => {
    const output = `Error: Error acquiring the state lock\n\nLock Info:\n  ID:        1234-abcd\n  Path:      b/k\n  Operation: OperationTypeApply\n  Who:       ci@runner\n  Created:   2026-11-27 08:00:00 UTC\n`;
    expect(lockOf(output, (id) => `unlock ${id}`)).toEqual({
      id: '1234-abcd',
      who: 'ci@runner',
      operation: 'OperationTypeApply',
      created: '2026-11-27 08:00:00 UTC',
      clear: 'unlock 1234-abcd',
    });
    expect(lockOf('Error: something else', String)).toBeUndefined();
    expect(isTransient(failure(output + 'StatusCode: 503'))).toBe(false);
  });

  test('throttling and server errors are transient; client errors are not', () => {
    expect(
      isTransient(failure('https response error StatusCode: 429, TooManyRequestsException: Too many requests')),
    ).toBe(true);
    expect(isTransient(failure('https response error StatusCode: 503, ServiceUnavailable'))).toBe(true);
    expect(isTransient(failure('https response error StatusCode: 400, BadRequestException: bad'))).toBe(false);
    expect(isTransient(new Error('ThrottlingException'))).toBe(false);
  });

  test('retries transient errors a bounded number of times, says so, and never retries others', async () => {
    const said: string[] = [];
    let calls = 0;
    const flaky = () =>
      ++calls < 3 ? Promise.reject(failure('StatusCode: 500, InternalFailure')) : Promise.resolve('ok');
    await expect(
      withRetries(flaky, { baseMs: 1, onRetry: (attempt, cause) => said.push(`${attempt}: ${cause}`) }),
    ).resolves.toBe('ok');
    expect(said).toEqual(['2: StatusCode: 500, InternalFailure', '3: StatusCode: 500, InternalFailure']);

    calls = 0;
    const always = () => (++calls, Promise.reject(failure('StatusCode: 500')));
    await expect(withRetries(always, { baseMs: 1, attempts: 3, onRetry: () => undefined })).rejects.toThrow(
      'terraform apply failed',
    );
    expect(calls).toBe(3);

    calls = 0;
    const permanent = () => (++calls, Promise.reject(failure('StatusCode: 400, BadRequestException')));
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
    expect(stdout).toContain('--env prd: no valid environment has this name. Did you mean "prod"?');
  });

  test('bad numbers and shards are refused', async () => {
    expect((await run('plan', '--all', '--concurrency', '0')).stderr).toContain(
      '--concurrency 0: expected a whole number of 1 or more.',
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
