import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli';
import { monthlyCustomMetricCost } from '../../src/cost/cloudwatch-prices';
import { costOf, describeMetrics } from '../../src/cost/cost-model';
import { planCost } from '../../src/cost/plan-cost';
import { usdText } from '../../src/report/text';
import { loadEnvironments } from '../../src/fleet/loader';
import { environmentYaml, writeFiles } from '../helpers/synth';

/** A set with one destination, as YAML lines under configurationSets. */
function set(name: string, destination: string): string {
  return `  - name: ${name}
    eventDestinations:
${destination}`;
}

function destination(name: string, eventTypes: string, dimensions: string[], extra = ''): string {
  return `      - name: ${name}
        eventTypes: [${eventTypes}]
${extra}        cloudWatch:
          dimensions:
${dimensions.map((dimension) => `            - ${dimension}`).join('\n')}
`;
}

function costFor(files: Record<string, string>) {
  const { dir, cleanup } = writeFiles(files);
  try {
    const { fleet, problems } = loadEnvironments(dir);
    expect(problems).toEqual([]);
    return costOf(fleet);
  } finally {
    cleanup();
  }
}

async function run(dir: string, ...argv: string[]) {
  const out = new PassThrough();
  let stdout = '';
  out.on('data', (chunk) => (stdout += chunk));
  const code = await main([...argv, '--environments', dir], out, out);
  return { code, stdout };
}

describe('custom-metric prices, tiered per account', () => {
  test.each([
    [0, 0],
    [1, 0.3],
    [10_000, 3_000],
    [10_001, 3_000.1],
    [250_000, 27_000],
    [250_001, 27_000.05],
    [1_000_000, 64_500],
    [1_000_001, 64_500.02],
  ])('%p metrics cost %p USD a month', (metrics, usd) => {
    expect(monthlyCustomMetricCost(metrics)).toBeCloseTo(usd, 2);
  });
});

describe('the metric model', () => {
  test("per event type, the product of each dimension's values, summed; by hand", () => {
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set(
  'a',
  destination('d', 'send, bounce, BOUNCE', [
    '{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 20 }',
    '{ name: ses:configuration-set, source: messageTag, defaultValue: a }',
  ]),
)}
${set('b', destination('off', 'send', ['{ name: x, source: messageTag, defaultValue: none, expectedValues: 5 }'], '        enabled: false\n'))}
${set('c', destination('from', 'send', ['{ name: ses:from-domain, source: messageTag, defaultValue: none, expectedValues: 4 }']))}`,
      ),
    });
    const [stack] = report.stacks;
    // d: 2 event types (send, bounce) x campaign (20 + the default) x ses:configuration-set (the set's
    // name, 1) = 42; off is disabled: 0; from: 1 x 4 domains (never the default) = 4.
    expect(stack.destinations.map((d) => [d.destination, d.metrics])).toEqual([
      ['d', 42],
      ['off', 0],
      ['from', 4],
    ]);
    expect(stack.metrics).toBe(46);
    expect(stack.monthlyUsd).toBeCloseTo(46 * 0.3, 2);
    expect(stack.destinations[0].dimensions).toMatchObject([
      { name: 'campaign', values: 21, basis: 'declared' },
      { name: 'ses:configuration-set', values: 1, basis: 'fixed' },
    ]);
  });

  test('link tags reach click events only: on every other event type a link dimension takes its default alone', () => {
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set('a', destination('d', 'open, click', ['{ name: link, source: linkTag, defaultValue: none, expectedValues: 999 }']))}
${set(
  'b',
  destination('e', 'send, open, click', [
    '{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 4 }',
    '{ name: link, source: linkTag, defaultValue: none, expectedValues: 2 }',
  ]),
)}`,
      ),
    });
    const [d, e] = report.stacks[0].destinations;
    // open: the default only (1); click: 999 values + the default (a link without the tag) = 1,000.
    expect(d.metrics).toBe(1 + 1000);
    // send and open: campaign 5 x link 1; click: campaign 5 x link 3.
    expect(e.metrics).toBe(5 + 5 + 15);
    expect(e.byEventType.map((term) => [term.eventType, term.metrics])).toEqual([
      ['SEND', 5],
      ['OPEN', 5],
      ['CLICK', 15],
    ]);
    expect(describeMetrics(e)).toBe(
      '2 event type(s) (send, open) x campaign 5 x link 1 + 1 event type(s) (click) x campaign 5 x link 3',
    );
  });

  test('auto-tags never take their default: declared values, else the documented estimate, nothing added', () => {
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set('a', destination('d', 'send, delivery', ['{ name: ses:from-domain, source: messageTag, defaultValue: none, expectedValues: 7 }']))}
${set('b', destination('e', 'send', ['{ name: ses:outgoing-tls-version, source: messageTag, defaultValue: none }']))}`,
      ),
    });
    const [d, e] = report.stacks[0].destinations;
    expect(d.metrics).toBe(2 * 7);
    expect(e.metrics).toBe(3);
  });

  test("ses:configuration-set holds one value, the set's own name, however many sets the environment has", () => {
    const one = (name: string) =>
      set(
        name,
        destination('d', 'send, delivery, bounce', [
          '{ name: ses:configuration-set, source: messageTag, defaultValue: x }',
          '{ name: template, source: messageTag, defaultValue: none, expectedValues: 30 }',
        ]),
      );
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:\n${['a', 'b', 'c', 'd'].map(one).join('\n')}`,
      ),
    });
    // Each: 3 event types x 1 x (30 + 1) = 93, whatever the number of sets.
    expect(report.stacks[0].destinations.map((d) => d.metrics)).toEqual([93, 93, 93, 93]);
    expect(report.stacks[0].metrics).toBe(372);
  });

  test("warns of a dimension SES never fills on the destination's event types, and of expectedValues that cannot apply", () => {
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set(
  'a',
  destination('d', 'send, open', [
    '{ name: link, source: linkTag, defaultValue: none, expectedValues: 5 }',
    '{ name: ses:configuration-set, source: messageTag, defaultValue: a, expectedValues: 4 }',
  ]),
)}`,
      ),
    });
    expect(report.stacks[0].metrics).toBe(2);
    expect(report.warnings.map((warning) => `${warning.path}: ${warning.message}`)).toEqual([
      'configurationSets[0].eventDestinations[0].cloudWatch.dimensions[0]: dimension "link" is a link tag that reaches click events only, and this destination publishes none of them: it always takes its default "none". Add click to eventTypes, or drop the dimension.',
      'configurationSets[0].eventDestinations[0].cloudWatch.dimensions[1]: expectedValues has no effect on ses:configuration-set: it takes exactly 1 value(s), the name of the set the destination belongs to: every event reaching it was sent through that set.',
    ]);
  });

  test('a dimension without an estimate gets the stated default and a warning; headers are called free-form', () => {
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set(
  'a',
  destination('d', 'send', [
    '{ name: campaign, source: messageTag, defaultValue: none }',
    '{ name: X-Team, source: emailHeader, defaultValue: none }',
  ]),
)}`,
      ),
    });
    expect(report.stacks[0].metrics).toBe(121);
    expect(report.warnings.map((warning) => `${warning.path}: ${warning.message}`)).toEqual([
      'configurationSets[0].eventDestinations[0].cloudWatch.dimensions[0]: dimension "campaign" has no expectedValues: the cost estimate assumes 10 distinct values plus the default.',
      'configurationSets[0].eventDestinations[0].cloudWatch.dimensions[1]: dimension "X-Team" has no expectedValues: the cost estimate assumes 10 distinct values plus the default. A free-form header can take as many values as senders write into it.',
    ]);
  });

  test('high-cardinality auto-tags are warned about, with the estimate used', () => {
    const report = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set('a', destination('d', 'send', ['{ name: ses:source-ip, source: messageTag, defaultValue: none }']))}`,
      ),
    });
    expect(report.stacks[0].metrics).toBe(100);
    expect(report.warnings.map((warning) => warning.message)).toEqual([
      'ses:source-ip is a high-cardinality auto-tag: every distinct value is another metric per event type (estimated 100 values, one per address your API calls come from (hosts, NAT gateways; autoscaling renews them); set expectedValues to your own figure).',
    ]);
  });

  test('tiers apply to the account as a whole; each stack carries its share', () => {
    const big = (name: string) =>
      environmentYaml(
        name,
        '111111111111',
        `configurationSets:
${set(
  `${name}-set`,
  destination('d', 'send, bounce, delivery', [
    '{ name: a, source: messageTag, defaultValue: none, expectedValues: 39 }',
    '{ name: b, source: messageTag, defaultValue: none, expectedValues: 49 }',
  ]),
)}`,
      );
    // 3 x 40 x 50 = 6,000 metrics each; 12,000 in the account: 10,000 x 0.30 + 2,000 x 0.10 = 3,200 USD.
    const report = costFor({ 'one.yaml': big('one'), 'two.yaml': big('two') });
    expect(report.accounts).toEqual([
      expect.objectContaining({ accountId: '111111111111', metrics: 12_000, metricsUsd: 3_200, monthlyUsd: 3_200 }),
    ]);
    expect(report.stacks.map((stack) => stack.monthlyUsd)).toEqual([1_600, 1_600]);
  });

  test('a declared query that needs a dimension alone is warned about, unless a dimension set publishes it', () => {
    const dimensions = [
      '{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 5 }',
      '{ name: genre, source: messageTag, defaultValue: none, expectedValues: 5 }',
    ];
    const together = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:\n${set('a', destination('d', 'send', dimensions).replace('          dimensions:', '          queries: [[campaign], [genre, campaign]]\n          dimensions:'))}`,
      ),
    });
    expect(together.warnings.map((warning) => `${warning.path}: ${warning.message}`)).toEqual([
      'configurationSets[0].eventDestinations[0].cloudWatch.queries[0]: no destination of "a" publishes exactly [campaign], and CloudWatch cannot filter a metric with several dimensions by some of them alone: add dimensionSets: [["campaign"], ...] to publish it separately.',
    ]);
    const separate = costFor({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:\n${set('a', destination('d', 'send', dimensions).replace('          dimensions:', '          queries: [[campaign], [genre, campaign]]\n          dimensionSets: [[campaign], [campaign, genre]]\n          dimensions:'))}`,
      ),
    });
    expect(separate.warnings).toEqual([]);
    // Each set is a destination of its own: 1 x 6 and 1 x 6 x 6.
    expect(separate.stacks[0].destinations.map((d) => [d.destination, d.metrics])).toEqual([
      ['d-campaign', 6],
      ['d-campaign-genre', 36],
    ]);
  });
});

describe('budgets', () => {
  const files = (budgets: string) => ({
    'dev.yaml': environmentYaml(
      'dev',
      '111111111111',
      `${budgets}
configurationSets:
${set('small', destination('d', 'send', ['{ name: x, source: messageTag, defaultValue: none, expectedValues: 1 }']))}
${set(
  'large',
  destination('wide', 'send, bounce', [
    '{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 99 }',
    '{ name: genre, source: messageTag, defaultValue: none, expectedValues: 9 }',
  ]),
)}`,
    ),
  });

  test('within budget, nothing is refused', () => {
    expect(costFor(files('budgets: { maxMetrics: 2002, maxMonthlyUsd: 600.6 }')).overBudget).toEqual([]);
  });

  test('over the metric budget: validate and synth refuse with exit 3, name the largest destination, and write nothing', async () => {
    const { dir, cleanup } = writeFiles(files('budgets: { maxMetrics: 2000 }'));
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-budget-')), 'out');
    try {
      const validate = await run(dir, 'validate');
      expect(validate.code).toBe(3);
      expect(validate.stdout).toContain(
        'budgets.maxMetrics: environment "dev" can publish up to 2,002 custom metrics, over its budget of 2,000. The largest contributor is dev-eu-west-1 large/wide: 2,000 metrics (2 event type(s) x campaign 100 x genre 10).',
      );
      expect(validate.stdout).toContain('over budget, fix them and run again');
      const synth = await run(dir, 'synth', '--output', outdir);
      expect(synth.code).toBe(3);
      expect(fs.existsSync(outdir)).toBe(false);
    } finally {
      cleanup();
    }
  });

  test('over the cost budget: refused with the monthly figure', () => {
    const [problem] = costFor(files('budgets: { maxMonthlyUsd: 500 }')).overBudget;
    expect(problem.path).toBe('budgets.maxMonthlyUsd');
    expect(problem.message).toMatch(
      /^environment "dev" can cost up to 600\.60 USD a month in custom metrics, alarms and dashboards, over its budget of 500\.00 USD\./,
    );
  });
});

describe('sesform cost', () => {
  test('prints a table per stack with the most expensive destinations, JSON and Markdown too', async () => {
    const { dir, cleanup } = writeFiles({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
${set('a', destination('d', 'send', ['{ name: x, source: messageTag, defaultValue: none, expectedValues: 1 }']))}`,
      ),
    });
    const markdown = path.join(dir, 'cost.md');
    try {
      const text = await run(dir, 'cost', '--markdown', markdown);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(
        'dev-eu-west-1  account 111111111111: 1 destination(s), up to 2 metrics, 0.60 USD a month',
      );
      expect(text.stdout).toContain('    a/d: 2 metrics (1 event type(s) x x 2)');
      expect(fs.readFileSync(markdown, 'utf8')).toContain(
        '| dev-eu-west-1 | 111111111111 | 1 | 2 | 0 (0) | 0 | 0.60 USD | a/d (2) |',
      );
      const json = JSON.parse((await run(dir, 'cost', '--json')).stdout);
      expect(json.accounts).toEqual([
        expect.objectContaining({
          accountId: '111111111111',
          metrics: 2,
          metricsUsd: 0.6,
          monitoringUsd: 0,
          monthlyUsd: 0.6,
        }),
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('sesform cost: beyond the top three, the fleet, the budgets', () => {
  test('says how many destinations the top three leave out, adds up the fleet, and shows each budget with its headroom', async () => {
    const dimension = (values: number) => [
      `{ name: x, source: messageTag, defaultValue: none, expectedValues: ${values} }`,
    ];
    // Metrics by hand: d3 3 x 10 = 30, d2 2 x 10 = 20, d1 1 x 10 = 10, d4 1 x 5 = 5, d5 1 x 2 = 2: 67 in all,
    // 67 x 0.30 = 20.10 USD a month (the first price tier).
    const destinations = [
      destination('d1', 'send', dimension(9)),
      destination('d2', 'send, delivery', dimension(9)),
      destination('d3', 'send, delivery, bounce', dimension(9)),
      destination('d4', 'send', dimension(4)),
      destination('d5', 'send', dimension(1)),
    ].join('');
    const { dir, cleanup } = writeFiles({
      'big.yaml': environmentYaml(
        'big',
        '740000000031',
        `budgets: { maxMetrics: 100, maxMonthlyUsd: 20000 }\nconfigurationSets:\n${set('a', destinations)}`,
      ),
    });
    const markdown = path.join(dir, 'cost.md');
    try {
      const { code, stdout } = await run(dir, 'cost', '--markdown', markdown);
      expect(code).toBe(0);
      expect(stdout).toContain(
        '    a/d1: 10 metrics (1 event type(s) x x 10)\n    and 2 more destination(s): 7 metrics\n',
      );
      expect(stdout).toContain('fleet: 1 stack(s) in 1 account(s), up to 67 metrics, 20.10 USD a month\n');
      expect(stdout).toContain(
        'budget big: 67 of 100 metrics (33 left); 20.10 of 20,000.00 USD a month (19,979.90 left)\n',
      );
      const written = fs.readFileSync(markdown, 'utf8');
      expect(written).toContain('a/d3 (30), a/d2 (20), a/d1 (10), and 2 more destination(s): 7 metrics |');
      expect(written).toContain('- budget big: 67 of 100 metrics (33 left)');
    } finally {
      cleanup();
    }
  });
});

test('sesform cost --html writes the page with the cost model figures, also when over budget (exit 3)', async () => {
  const { dir, cleanup } = writeFiles({
    'dev.yaml': environmentYaml(
      'dev',
      '111111111111',
      `budgets: { maxMetrics: 1 }
configurationSets:
${set('a', destination('d', 'send, click', ['{ name: link, source: linkTag, defaultValue: none, expectedValues: 3 }']))}`,
    ),
  });
  const page = path.join(dir, 'cost.html');
  try {
    const { code, stdout } = await run(dir, 'cost', '--html', page);
    expect(code).toBe(3);
    expect(stdout).toContain('over budget, see the report');
    const html = fs.readFileSync(page, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // send: the link's default alone (1); click: 3 values and the default (4).
    expect(html).toContain('1 stack(s), 5 custom metrics.');
    expect(html).toContain('1 event type(s) (send) x link 1 + 1 event type(s) (click) x link 4');
  } finally {
    cleanup();
  }
});

describe('the money a plan changes (plan reports)', () => {
  // Figures worked out by hand from CloudWatch's tiers: $0.30 a metric up to 10,000 in an account,
  // then $0.10; a stack carries its account's cost in proportion to its metrics.
  const stack = (name: string, accountId: string, before: number | null, after: number) => ({
    stack: name,
    accountId,
    changes: { metrics: { before, after } },
  });
  const cost = planCost([
    stack('prod-eu-west-1', '333333333333', 6_000, 8_000),
    stack('prod-us-east-1', '333333333333', 3_000, 5_000),
    stack('dev-eu-west-1', '111111111111', null, 100),
  ]);

  test('per account, through the tiers of the account total', () => {
    expect(cost.accounts).toEqual([
      // 9,000 x 0.30 = 2,700; 10,000 x 0.30 + 3,000 x 0.10 = 3,300.
      { accountId: '333333333333', metrics: { before: 9_000, after: 13_000 }, usd: { before: 2_700, after: 3_300 } },
      // What dev's state holds was applied before estimates were recorded: before is unknown, never guessed.
      { accountId: '111111111111', metrics: { before: null, after: 100 }, usd: { before: null, after: 30 } },
    ]);
  });

  test('per stack, its share of its account in proportion to its metrics', () => {
    // 6,000 / 9,000 x 2,700 = 1,800; 8,000 / 13,000 x 3,300 = 2,030.769...; 5,000 / 13,000 x 3,300 = 1,269.230...
    expect(cost.stacks.get('prod-eu-west-1')).toEqual({ before: 1_800, after: 2_030.77 });
    expect(cost.stacks.get('prod-us-east-1')).toEqual({ before: 900, after: 1_269.23 });
    expect(cost.stacks.get('dev-eu-west-1')).toEqual({ before: null, after: 30 });
  });

  test('for the run: the accounts summed, unknown when any account is', () => {
    expect(cost.metrics).toEqual({ before: null, after: 13_100 });
    expect(cost.total).toEqual({ before: null, after: 3_330 });
    expect(usdText(cost.total)).toBe('USD ? -> 3,330.00 a month');
    expect(usdText(cost.stacks.get('prod-us-east-1')!)).toBe('USD 900.00 -> 1,269.23 (+369.23) a month');
    expect(usdText({ before: 30, after: 12.5 })).toBe('USD 30.00 -> 12.50 (-17.50) a month');
  });
});
