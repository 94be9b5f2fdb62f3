/**
 * The HTML report as text: self-contained (no external URL, no fetched resource), hostile text
 * escaped, one cell per stack with its outcome, the cost chart's figures equal to the cost model's
 * and budgets drawn where declared. The browser tests (e2e) check the page as a person uses it.
 */
import { costOf } from '../../src/cost/cost-model';
import { costView } from '../../src/cost/cost-view';
import type { RunReport, StackReport } from '../../src/report/run-report';
import { EnvironmentSchema } from '../../src/environment/schema';
import { resolveFleet } from '../../src/fleet/fleet';
import { costReportHtml, runReportHtml, verifyReportHtml } from '../../src/report/html';
import { shownOutcome } from '../../src/report/html-views';
import { html as htmlTemplate } from '../../src/report/html-template';
import { environmentFields } from '../helpers/synth';

const destination = (name: string, values: number) => ({
  name,
  eventTypes: ['send', 'bounce'],
  cloudWatch: {
    dimensions: [{ name: 'campaign', source: 'messageTag', defaultValue: 'none', expectedValues: values }],
  },
});
const fleet = resolveFleet(
  [
    ['dev', '111111111111', 0, undefined],
    ['prod', '333333333333', 1, 500],
  ].map(([name, account, wave, maxMetrics]) => ({
    file: `${name}.yaml`,
    environment: EnvironmentSchema.parse(
      environmentFields(name as string, account as string, {
        wave,
        regions: ['eu-west-1', 'us-east-1'],
        ...(maxMetrics ? { budgets: { maxMetrics } } : {}),
        configurationSets: [{ name: 'mail', eventDestinations: [destination('a', 9), destination('b', 4)] }],
      }),
    ),
  })),
);

function stackReport(name: string, outcome: StackReport['outcome'], extra: Partial<StackReport> = {}): StackReport {
  const stack = fleet.stacks.find((each) => each.name === name)!;
  return {
    stack: name,
    environment: stack.environment.name,
    accountId: stack.accountId,
    region: stack.region,
    wave: stack.wave,
    protect: false,
    outcome,
    retries: [],
    recovered: [],
    ...extra,
  };
}

const report: RunReport = {
  command: 'rollout',
  local: true,
  stacks: [
    stackReport('dev-eu-west-1', 'applied'),
    stackReport('dev-us-east-1', 'failed', { error: '<script>alert("x")</script> AccessDenied' }),
    stackReport('prod-eu-west-1', 'not-touched'),
    stackReport('prod-us-east-1', 'not-touched'),
  ],
  refusals: [],
  stopped: 'Wave 0 failed (dev-us-east-1).',
  exitCode: 1,
  cost: costView(fleet),
};
const html = runReportHtml(report);

test('self-contained: no external URL, nothing fetched', () => {
  for (const page of [
    html,
    costReportHtml(costView(fleet)),
    verifyReportHtml({ command: 'verify', local: true, probe: false, stacks: [], exitCode: 0 }),
  ]) {
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/<link\b|<script\s+src|<img\b|<iframe\b|@import|url\(/i);
  }
});

test('text from reports is escaped', () => {
  expect(html).not.toContain('<script>alert');
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; AccessDenied');
});

test('one cell per stack, in its wave, with its outcome in words; the failure is in the box read first', () => {
  const cells = [
    ...html.matchAll(
      /<button type="button" class="cell o-([\w-]+)" data-id="(\w+)" data-stack="([\w-]+)" data-outcome="([\w-]+)"/g,
    ),
  ];
  expect(cells.map((cell) => [cell[3], cell[4]])).toEqual([
    ['dev-eu-west-1', 'applied'],
    ['dev-us-east-1', 'failed'],
    ['prod-eu-west-1', 'not-touched'],
    ['prod-us-east-1', 'not-touched'],
  ]);
  expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('Waves and stacks'));
  expect(html).toMatch(/<li>dev-us-east-1 failed: &lt;script&gt;/);
  expect(html).toContain('<small>FAILED</small>');
});

test("the chart's bars are the cost model's figures, and each declared budget is drawn as a line", () => {
  const model = costOf(fleet);
  const chart = (measure: string) =>
    [...html.matchAll(new RegExp(`<svg role="img" data-measure="${measure}"[\\s\\S]*?</svg>`, 'g'))]
      .map((svg) => svg[0])
      .join('');
  const bars = (svg: string) =>
    [...svg.matchAll(/<g class="bar" data-stack="([\w-]+)" data-value="([\d.]+)"/g)].map((bar) => [
      bar[1],
      Number(bar[2]),
    ]);
  expect(bars(chart('metrics'))).toEqual(model.stacks.map((stack) => [stack.stack, stack.metrics]));
  expect(bars(chart('usd'))).toEqual(model.stacks.map((stack) => [stack.stack, stack.monthlyUsd]));
  // Hand-worked: 2 event types x (9 + 1) values + 2 x (4 + 1) = 30 metrics per stack; at $0.30 each, $9.00.
  expect(bars(chart('metrics')).map(([, value]) => value)).toEqual([30, 30, 30, 30]);
  expect(bars(chart('usd')).map(([, value]) => value)).toEqual([9, 9, 9, 9]);
  expect([...chart('metrics').matchAll(/data-budget="(\d+)"/g)].map((line) => Number(line[1]))).toEqual([500]);
  expect(html).toContain('60 of 500 metrics budgeted');
  // A budget limits the environment's total over its regions: a bar of their sum, and the line over it only.
  const totals = (svg: string) =>
    [...svg.matchAll(/<g class="bar" data-stack="all regions" data-value="([\d.]+)"/g)].map((bar) => Number(bar[1]));
  expect(totals(chart('metrics'))).toEqual([60, 60]);
  expect(totals(chart('usd'))).toEqual([18, 18]);
  const line = /<line class="budget-line" x1="(\d+)" x2="(\d+)"[^>]*data-limits="all regions"/.exec(chart('metrics'));
  // The bars start at x = 110 and are 100 apart, 64 wide: the third (all regions) spans 310 to 374.
  expect(line?.slice(1).map(Number)).toEqual([302, 382]);
});

test("the summary shows every stack's changes and their monthly USD without a click, per account and for the run", () => {
  const changes = (after: number) => ({
    counts: { add: 1, change: 0, replace: 0, destroy: 0, import: 0 },
    configurationSets: [],
    destinations: [
      {
        address: 'aws_sesv2_configuration_set_event_destination.mail_a',
        configurationSet: 'mail',
        name: 'a',
        action: 'create' as const,
        changes: [],
        dimensions: [],
        eventTypesAdded: [],
        eventTypesRemoved: [],
        metricsBefore: 0,
        metricsAfter: after,
      },
    ],
    metrics: { before: 0, after },
  });
  const plan = runReportHtml({
    command: 'plan',
    local: false,
    refusals: [],
    exitCode: 2,
    stacks: [
      stackReport('prod-eu-west-1', 'planned', { changes: changes(30) } as unknown as Partial<StackReport>),
      stackReport('prod-us-east-1', 'planned', { changes: changes(30) } as unknown as Partial<StackReport>),
    ],
  });
  const summary = /<section aria-labelledby="summary-title">[\s\S]*?<\/section>/.exec(plan)![0];
  // Hand-worked: 30 metrics at $0.30 = $9.00 per stack; the account's 60, $18.00.
  expect(summary).toContain('<li>+ destination mail/a: create; metrics 0 -&gt; 30 (+30)</li>');
  expect(summary.match(/USD 0\.00 -&gt; 9\.00 \(\+9\.00\) a month/g)).toHaveLength(2);
  expect(summary).toContain(
    '<th scope="row">account 333333333333</th><td class="num">0 -&gt; 60 (+60)</td><td class="num">USD 0.00 -&gt; 18.00 (+18.00) a month</td>',
  );
  expect(summary).not.toContain('hidden');
});

test('drift: accounts x regions with the number of findings in each cell, and the drifted stack named', () => {
  const drifted = stackReport('prod-us-east-1', 'drifted', {
    drift: {
      resources: [],
      unmanagedDestinations: [{ configurationSet: 'mail', name: 'by-hand' }],
      unmanagedSets: ['legacy', 'old'],
    },
  });
  const page = runReportHtml({
    command: 'drift',
    local: false,
    stacks: [stackReport('dev-eu-west-1', 'in-sync'), drifted],
    refusals: [],
    exitCode: 2,
  });
  expect(page).toContain('Accounts x regions: drift findings');
  const cells = [...page.matchAll(/data-account="(\d+)" data-region="([\w-]+)" data-value="(\d+)"/g)].map((cell) =>
    cell.slice(1),
  );
  expect(cells).toEqual([
    ['111111111111', 'eu-west-1', '0'],
    ['333333333333', 'us-east-1', '3'],
  ]);
  expect(page).toContain('<small>DRIFTED</small>');
  expect(page).toContain(
    '? configuration set legacy exists in the account but no environment declares it (left alone)',
  );
});

test('a refusal marks its own stack refused, not another whose name contains it', () => {
  const refused: RunReport = {
    ...report,
    stacks: [
      { ...stackReport('dev-eu-west-1', 'not-touched'), stack: 'a-us-east-1' },
      { ...stackReport('dev-us-east-1', 'not-touched'), stack: 'data-us-east-1' },
    ],
    refusals: [{ stack: 'data-us-east-1', configurationSet: 'mail', reason: 'destroy-protection', message: 'no' }],
  };
  expect(refused.stacks.map((stack) => shownOutcome(refused, stack))).toEqual(['not-touched', 'refused']);
});

test('every view is markup built by html templates: a cell without a stack is a dash, not escaped text', () => {
  const oneRegion: RunReport = { ...report, stacks: [report.stacks[0], report.stacks[2], report.stacks[3]] };
  const page = runReportHtml(oneRegion);
  expect(page).toContain('<td class="num">-</td>');
  expect(page).not.toContain('&lt;td');
  // Every view's text was escaped once: no double escaping of what the views wrote themselves.
  expect(page).not.toContain('&amp;lt;');
});

test('html templates escape every value, in content and attributes, and keep markup made by templates', () => {
  const hostile = `"><img src=x onerror=alert(1)>'&`;
  const cell = htmlTemplate`<td title="${hostile}">${hostile}</td>`;
  expect(String(cell)).toBe(
    '<td title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;</td>',
  );
  expect(String(htmlTemplate`<tr>${[cell, 7, undefined, null, false]}</tr>`)).toBe(`<tr>${cell}7</tr>`);
});
