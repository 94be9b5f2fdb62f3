/**
 * The plan report in SES terms, from plan JSON and the fleet model: every value that changes, before
 * -> after, in the JSON and in the text; metric deltas keyed by (stack, set, destination) address,
 * with "before" from the estimate recorded in the state. Expected figures are worked out by hand.
 */
import { stackChanges, driftedResources } from '../../src/engine/changes';
import { changeLines, renderMarkdown, renderText } from '../../src/report/text';
import { runReportHtml } from '../../src/report/html';
import type { RunReport } from '../../src/report/run-report';
import { EnvironmentSchema } from '../../src/environment/schema';
import { FleetStack, resolveFleet } from '../../src/fleet/fleet';
import { METRIC_RECORD_ADDRESS, metricRecordOf } from '../../src/fleet/metric-record';
import type { PlanJson, ResourceChangeJson } from '../../src/terraform/runner';
import { environmentFields } from '../helpers/synth';

type Values = Record<string, unknown>;

/** A one-region environment of this test's own. */
function fleetStack(configurationSets: unknown[]): FleetStack {
  const environment = EnvironmentSchema.parse(environmentFields('acme', '123456789012', { configurationSets }));
  return resolveFleet([{ file: 'acme.yaml', environment }]).stacks[0];
}

const dimension = (name: string, source = 'MESSAGE_TAG', defaultValue = 'none') => ({
  dimension_name: name,
  dimension_value_source: source,
  default_dimension_value: defaultValue,
});

function destinationValues(
  set: string,
  name: string,
  options: { events?: string[]; enabled?: boolean; dimensions?: Values[] } = {},
) {
  return {
    configuration_set_name: set,
    event_destination_name: name,
    event_destination: [
      {
        enabled: options.enabled ?? true,
        matching_event_types: options.events ?? ['SEND'],
        cloud_watch_destination: [{ dimension_configuration: options.dimensions ?? [dimension('campaign')] }],
      },
    ],
  };
}

function setValues(name: string, extra: Values = {}): Values {
  return {
    configuration_set_name: name,
    sending_options: [{ sending_enabled: true }],
    reputation_options: [{ reputation_metrics_enabled: true, last_fresh_start: '' }],
    delivery_options: [],
    tracking_options: [],
    suppression_options: [],
    tags: null,
    tags_all: { 'managed-by': 'sesform' },
    arn: `arn:aws:ses:eu-west-1:123456789012:configuration-set/${name}`,
    ...extra,
  };
}

function change(address: string, actions: string[], before: Values | null, after: Values | null): ResourceChangeJson {
  const [type, name] = address.split('.');
  return { address, type, name, change: { actions, before, after } };
}

/** The metric record as the state holds it, and as the plan writes it. */
function record(before: Values | null, after: Values | null): ResourceChangeJson {
  const actions =
    before === null ? ['create'] : JSON.stringify(before) === JSON.stringify(after) ? ['no-op'] : ['update'];
  return change(METRIC_RECORD_ADDRESS, actions, before && { input: before }, after && { input: after });
}

const text = (stack: FleetStack, plan: PlanJson) => changeLines(stackChanges(plan, stack));

describe('every attribute that changes, before -> after', () => {
  const stack = fleetStack([
    {
      name: 'marketing',
      eventDestinations: [
        {
          name: 'engagement',
          eventTypes: ['OPEN', 'CLICK'],
          cloudWatch: {
            dimensions: [{ name: 'campaign', source: 'messageTag', defaultValue: 'unknown', expectedValues: 4 }],
          },
        },
      ],
    },
  ]);
  const [set] = stack.configurationSets;
  const [destination] = set.destinations;
  // What this stack recorded when it was applied, unchanged by these plans.
  const unchangedRecord = record(
    metricRecordOf(stack) as unknown as Values,
    metricRecordOf(stack) as unknown as Values,
  );
  const destinationUpdate = (before: Values, after: Values) => ({
    resource_changes: [change(destination.address, ['update'], before, after), unchangedRecord],
  });
  const setUpdate = (before: Values, after: Values) => ({
    resource_changes: [
      change(set.address, ['update'], setValues('marketing', before), setValues('marketing', after)),
      unchangedRecord,
    ],
  });

  test('a dimension default value (defect: it disappeared from the report)', () => {
    const plan = destinationUpdate(
      destinationValues('marketing', 'engagement', { dimensions: [dimension('campaign', 'MESSAGE_TAG', 'none')] }),
      destinationValues('marketing', 'engagement', { dimensions: [dimension('campaign', 'MESSAGE_TAG', 'unknown')] }),
    );
    expect(stackChanges(plan, stack).destinations[0].dimensions).toEqual([
      {
        name: 'campaign',
        change: 'changed',
        before: { source: 'MESSAGE_TAG', defaultValue: 'none' },
        after: { source: 'MESSAGE_TAG', defaultValue: 'unknown' },
      },
    ]);
    expect(text(stack, plan)[0]).toBe(
      '~ destination marketing/engagement: update in place; dimensions ~campaign default "none" -> "unknown"',
    );
  });

  test('a dimension source, and dimensions added and removed', () => {
    const plan = destinationUpdate(
      destinationValues('marketing', 'engagement', { dimensions: [dimension('campaign'), dimension('genre')] }),
      destinationValues('marketing', 'engagement', {
        dimensions: [dimension('campaign', 'EMAIL_HEADER'), dimension('link', 'LINK_TAG', 'x')],
      }),
    );
    const [line] = text(stack, plan);
    expect(line).toContain(
      'dimensions ~campaign source "MESSAGE_TAG" -> "EMAIL_HEADER", -genre, +link (LINK_TAG, default "x")',
    );
  });

  test('event types added and removed, and enabled -> disabled', () => {
    const plan = destinationUpdate(
      destinationValues('marketing', 'engagement', { events: ['CLICK', 'OPEN'] }),
      destinationValues('marketing', 'engagement', { events: ['CLICK', 'SEND'], enabled: false }),
    );
    const [changes] = stackChanges(plan, stack).destinations;
    expect(changes).toMatchObject({
      changes: [{ attribute: 'enabled', before: true, after: false }],
      eventTypesAdded: ['SEND'],
      eventTypesRemoved: ['OPEN'],
    });
    expect(text(stack, plan)[0]).toMatch(
      /^~ destination marketing\/engagement: update in place; enabled true -> false; events \+SEND -OPEN/,
    );
  });

  test.each([
    [
      'sending enabled',
      { sending_options: [{ sending_enabled: true }] },
      { sending_options: [{ sending_enabled: false }] },
      'sending enabled true -> false',
      { attribute: 'sending enabled', before: true, after: false },
    ],
    [
      'reputation metrics',
      {},
      { reputation_options: [{ reputation_metrics_enabled: false, last_fresh_start: 'x' }] },
      'reputation metrics true -> false',
      { attribute: 'reputation metrics', before: true, after: false },
    ],
    [
      'tls policy',
      { delivery_options: [{ tls_policy: 'OPTIONAL' }] },
      { delivery_options: [{ tls_policy: 'REQUIRE' }] },
      'tls policy "OPTIONAL" -> "REQUIRE"',
      { attribute: 'tls policy', before: 'OPTIONAL', after: 'REQUIRE' },
    ],
    [
      'sending pool',
      {},
      { delivery_options: [{ sending_pool_name: 'dedicated' }] },
      'sending pool (none) -> "dedicated"',
      { attribute: 'sending pool', after: 'dedicated' },
    ],
    [
      'max delivery',
      { delivery_options: [{ max_delivery_seconds: 3600 }] },
      { delivery_options: [{ max_delivery_seconds: 21600 }] },
      'max delivery seconds 3600 -> 21600',
      { attribute: 'max delivery seconds', before: 3600, after: 21600 },
    ],
    [
      'tracking domain',
      { tracking_options: [{ custom_redirect_domain: 'a.example.com' }] },
      { tracking_options: [{ custom_redirect_domain: 'b.example.com' }] },
      'tracking domain "a.example.com" -> "b.example.com"',
      { attribute: 'tracking domain', before: 'a.example.com', after: 'b.example.com' },
    ],
    [
      'tracking https',
      { tracking_options: [{ custom_redirect_domain: 'a.example.com', https_policy: 'OPTIONAL' }] },
      { tracking_options: [{ custom_redirect_domain: 'a.example.com', https_policy: 'REQUIRE' }] },
      'tracking https policy "OPTIONAL" -> "REQUIRE"',
      { attribute: 'tracking https policy', before: 'OPTIONAL', after: 'REQUIRE' },
    ],
    [
      'suppressed reasons',
      { suppression_options: [{ suppressed_reasons: ['COMPLAINT', 'BOUNCE'] }] },
      { suppression_options: [{ suppressed_reasons: ['BOUNCE'] }] },
      'suppressed reasons [BOUNCE, COMPLAINT] -> [BOUNCE]',
      { attribute: 'suppressed reasons', before: ['BOUNCE', 'COMPLAINT'], after: ['BOUNCE'] },
    ],
    [
      'a tag changed',
      { tags: { team: 'a' }, tags_all: { team: 'a' } },
      { tags: { team: 'b' }, tags_all: { team: 'b' } },
      'tag team "a" -> "b"',
      { attribute: 'tag team', before: 'a', after: 'b' },
    ],
    [
      'a tag added',
      {},
      { tags: { owner: 'mail' }, tags_all: { owner: 'mail' } },
      'tag owner (none) -> "mail"',
      { attribute: 'tag owner', after: 'mail' },
    ],
    [
      'a tag removed',
      { tags: { owner: 'mail' } },
      { tags: {} },
      'tag owner "mail" -> (none)',
      { attribute: 'tag owner', before: 'mail' },
    ],
  ])('set option: %s', (_what, before, after, expected, json) => {
    const plan = setUpdate(before, after);
    expect(stackChanges(plan, stack).configurationSets[0].changes).toEqual([json]);
    expect(text(stack, plan)).toEqual([`~ configuration set marketing: update in place; ${expected}`]);
  });

  test('provider noise (tags_all mirrors, unset read back as empty) is folded away', () => {
    const plan = setUpdate({ tags: null, tags_all: { a: '1' } }, { tags: {}, tags_all: { a: '2' } });
    expect(stackChanges(plan, stack).configurationSets[0].changes).toEqual([]);
  });

  test('the JSON of a set change carries the values', () => {
    const plan = setUpdate(
      { sending_options: [{ sending_enabled: true }] },
      { sending_options: [{ sending_enabled: false }] },
    );
    expect(stackChanges(plan, stack).configurationSets).toEqual([
      {
        address: set.address,
        name: 'marketing',
        action: 'update',
        changes: [{ attribute: 'sending enabled', before: true, after: false }],
        eventTypesAdded: [],
        eventTypesRemoved: [],
        dimensions: [],
      },
    ]);
  });

  test("drift shows the declared value next to the account's", () => {
    const drifted = driftedResources({
      resource_drift: [
        change(
          set.address,
          ['update'],
          setValues('marketing'),
          setValues('marketing', { sending_options: [{ sending_enabled: false }] }),
        ),
      ],
    });
    const report: RunReport = {
      command: 'drift',
      local: false,
      stacks: [
        {
          stack: stack.name,
          environment: 'acme',
          accountId: stack.accountId,
          region: stack.region,
          wave: 0,
          protect: false,
          outcome: 'drifted',
          drift: { resources: drifted, unmanagedDestinations: [], unmanagedSets: [] },
          retries: [],
          recovered: [],
        },
      ],
      refusals: [],
      exitCode: 2,
    };
    expect(renderText(report)).toContain(
      '! configuration set marketing was changed outside Terraform: sending enabled declared true, account false',
    );
  });
});

describe('metric deltas keyed by (stack, set, destination), before from the record', () => {
  // Two sets with a destination of the same name: the old report joined them by name.
  const stack = fleetStack(
    [
      ['one', 2],
      ['two', 500],
    ].map(([name, expectedValues]) => ({
      name,
      eventDestinations: [
        {
          name: 'metrics',
          eventTypes: ['SEND'],
          cloudWatch: {
            dimensions: [{ name: 'campaign', source: 'messageTag', defaultValue: 'none', expectedValues }],
          },
        },
      ],
    })),
  );
  const [one, two] = stack.configurationSets.map((set) => set.destinations[0]);

  test('a new stack: every destination from 0, each with its own estimate', () => {
    const plan: PlanJson = {
      resource_changes: [
        change(one.address, ['create'], null, destinationValues('one', 'metrics')),
        change(two.address, ['create'], null, destinationValues('two', 'metrics')),
        record(null, metricRecordOf(stack) as unknown as Values),
      ],
    };
    const changes = stackChanges(plan, stack);
    // 1 event type x (2 values + the default) and 1 x (500 + 1).
    expect(changes.destinations.map((each) => [each.configurationSet, each.metricsBefore, each.metricsAfter])).toEqual([
      ['one', 0, 3],
      ['two', 0, 501],
    ]);
    expect(changes.metrics).toEqual({ before: 0, after: 504 });
    expect(changes.recordUpdate).toBe('create');
  });

  test('a destination created disabled says so, with its metrics (0), in the text, Markdown and HTML reports', () => {
    const disabledStack = fleetStack([
      {
        name: 'one',
        eventDestinations: [
          {
            name: 'campaign-headers',
            enabled: false,
            eventTypes: ['SEND'],
            cloudWatch: { dimensions: [{ name: 'campaign', source: 'messageTag', defaultValue: 'none' }] },
          },
        ],
      },
    ]);
    const destination = disabledStack.configurationSets[0].destinations[0];
    const plan: PlanJson = {
      resource_changes: [
        change(destination.address, ['create'], null, destinationValues('one', 'campaign-headers', { enabled: false })),
      ],
    };
    const changes = stackChanges(plan, disabledStack);
    const line =
      '+ destination one/campaign-headers: create; disabled; events +SEND; dimensions +campaign (MESSAGE_TAG, default "none"); metrics 0';
    expect(changeLines(changes)).toEqual([line]);
    const report = {
      command: 'plan',
      local: false,
      refusals: [],
      exitCode: 2,
      stacks: [
        {
          stack: disabledStack.name,
          environment: 'acme',
          accountId: disabledStack.accountId,
          region: disabledStack.region,
          wave: 0,
          protect: false,
          outcome: 'planned',
          changes,
          retries: [],
          recovered: [],
        },
      ],
    } as unknown as RunReport;
    expect(renderText(report)).toContain(line);
    expect(renderMarkdown(report)).toContain(line);
    // HTML escapes the quotes of the default value.
    expect(runReportHtml(report)).toContain('+ destination one/campaign-headers: create; disabled; events +SEND;');
    expect(runReportHtml(report)).toContain('; metrics 0');
  });

  test('a destroyed destination reports what was recorded when it was applied, not a re-estimate', () => {
    const recorded = {
      version: 1,
      destinations: {
        [one.address]: { configurationSet: 'one', destination: 'metrics', metrics: 3 },
        [two.address]: { configurationSet: 'two', destination: 'metrics', metrics: 1230 },
      },
    };
    const remaining = fleetStack([stack.configurationSets[0].definition]);
    const plan: PlanJson = {
      resource_changes: [
        change(one.address, ['no-op'], destinationValues('one', 'metrics'), destinationValues('one', 'metrics')),
        change(two.address, ['delete'], destinationValues('two', 'metrics'), null),
        record(recorded, metricRecordOf(remaining) as unknown as Values),
      ],
    };
    const changes = stackChanges(plan, remaining);
    expect(changes.destinations).toMatchObject([
      { configurationSet: 'two', action: 'delete', metricsBefore: 1230, metricsAfter: 0 },
    ]);
    expect(changes.metrics).toEqual({ before: 3 + 1230, after: 3 });
    expect(text(remaining, plan)[0]).toBe(
      '- destination two/metrics: DESTROY; events -SEND; dimensions -campaign; metrics 1,230 -> 0 (-1,230)',
    );
  });

  test('state applied before estimates were recorded: before is unknown, never guessed', () => {
    const plan: PlanJson = {
      resource_changes: [
        change(
          one.address,
          ['update'],
          destinationValues('one', 'metrics', { events: ['SEND'] }),
          destinationValues('one', 'metrics', { events: ['SEND', 'BOUNCE'] }),
        ),
        record(null, metricRecordOf(stack) as unknown as Values),
      ],
    };
    const changes = stackChanges(plan, stack);
    expect(changes.destinations[0]).toMatchObject({ metricsBefore: null, metricsAfter: 3 });
    expect(changes.metrics.before).toBeNull();
    expect(text(stack, plan)[0]).toContain('metrics ? -> 3 (no estimate recorded for what is applied)');
  });
});

describe('the deploy role', () => {
  const declaring = (role: string): FleetStack => {
    const environment = EnvironmentSchema.parse(
      environmentFields('acme', '123456789012', { deployRole: { arn: `arn:aws:iam::123456789012:role/${role}` } }),
    );
    return resolveFleet([{ file: 'acme.yaml', environment }]).stacks[0];
  };
  const recordChange = (before: FleetStack, after: FleetStack): PlanJson => ({
    resource_changes: [
      {
        address: METRIC_RECORD_ADDRESS,
        type: 'terraform_data',
        name: 'sesform-metric-estimates',
        change: {
          actions: ['update'],
          before: { input: metricRecordOf(before) as unknown as Values },
          after: { input: metricRecordOf(after) as unknown as Values },
        },
      },
    ],
  });

  test('a change of the role every apply runs with is its own line, first, with both ARNs', () => {
    const [before, after] = [declaring('ses-deploy'), declaring('OrganizationAccountAccessRole')];
    const changes = stackChanges(recordChange(before, after), after);
    expect(changes.deployRole).toEqual({
      before: 'arn:aws:iam::123456789012:role/ses-deploy',
      after: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole',
    });
    expect(changeLines(changes)[0]).toBe(
      '~ deploy role: "arn:aws:iam::123456789012:role/ses-deploy" -> "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole" (every later apply of this stack runs with it)',
    );
  });

  test('the same role, or a record written before roles were recorded, says nothing of it', () => {
    const stack = declaring('ses-deploy');
    expect(stackChanges(recordChange(stack, stack), stack).deployRole).toBeUndefined();
    const { deployRole: _none, ...older } = metricRecordOf(stack);
    const plan = recordChange(stack, stack);
    (plan.resource_changes![0].change.before as Values).input = older;
    expect(stackChanges(plan, stack).deployRole).toBeUndefined();
  });
});
