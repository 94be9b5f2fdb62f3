/// <reference lib="dom" />
/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core): the report of a
 * real emulator rollout of the samples, and a generated 500-stack report. The grid's cells against
 * the JSON report, a stack's details opened by click and by keyboard, the cost bars and the budget
 * line against the cost model, the load and render time of 500 stacks (measured and printed, not
 * asserted), and the screenshot README shows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { costOf } from '../../src/cost/cost-model';
import { costView } from '../../src/cost/cost-view';
import type { RunReport } from '../../src/report/run-report';
import { loadEnvironments } from '../../src/fleet/loader';
import { EnvironmentSchema } from '../../src/environment/schema';
import { resolveFleet } from '../../src/fleet/fleet';
import { runReportHtml } from '../../src/report/html';
import { launchChromium } from '../helpers/browser';
import { EngineFixture } from '../helpers/engine-fixture';
import { PROJECT_ROOT, environmentFields, sampleFiles } from '../helpers/synth';

jest.setTimeout(600_000);

const SAMPLES = path.join(PROJECT_ROOT, 'environments');
const SCREENSHOT = path.join(PROJECT_ROOT, 'docs', 'images', 'html-report.png');

let fixture: EngineFixture;
let browser: Browser;
let page: Page;
let report: RunReport;
let htmlFile: string;

beforeAll(async () => {
  fixture = await EngineFixture.start(sampleFiles());
  htmlFile = path.join(fixture.root, 'rollout.html');
  const run = await fixture.run(['rollout', '--all', '--auto-approve', '--json', '--html', htmlFile]);
  expect(run.code).toBe(0);
  report = JSON.parse(run.stdout);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`file://${htmlFile}`);
});

afterAll(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('the grid shows every stack of the JSON report, in its wave, with its outcome', async () => {
  const cells = await page.$$eval('.cell', (elements) =>
    elements.map((element) => [
      element.getAttribute('data-stack'),
      element.getAttribute('data-outcome'),
      element.closest('.wave')!.getAttribute('aria-label'),
    ]),
  );
  expect(cells).toEqual(report.stacks.map((stack) => [stack.stack, stack.outcome, `wave ${stack.wave}`]));
  expect(await page.textContent('.cell[data-stack="prod-us-east-1"] small')).toBe('applied');
});

test("a click opens the stack's changes in SES terms; Close returns to the grid", async () => {
  await page.click('.cell[data-stack="prod-eu-west-1"]');
  const dialog = page.locator('#stack-dialog');
  expect(await dialog.isVisible()).toBe(true);
  expect(await page.textContent('#stack-dialog-title')).toBe('prod-eu-west-1');
  const body = (await page.textContent('#stack-dialog .dialog-body'))!;
  expect(body).toContain('prod-eu-west-1 (account 333333333333, eu-west-1, wave 2) applied');
  expect(body).toContain('+ configuration set security-alerts: create');
  await page.click('#stack-dialog .close');
  expect(await dialog.isVisible()).toBe(false);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-stack'))).toBe('prod-eu-west-1');
});

test('the keyboard alone: Tab to the grid, arrows between stacks, Enter opens, Escape closes', async () => {
  await page.focus('.cell');
  await page.keyboard.press('ArrowRight');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-stack'))).toBe(report.stacks[1].stack);
  await page.keyboard.press('Enter');
  expect(await page.locator('#stack-dialog').isVisible()).toBe(true);
  expect(await page.textContent('#stack-dialog-title')).toBe(report.stacks[1].stack);
  await page.keyboard.press('Escape');
  expect(await page.locator('#stack-dialog').isVisible()).toBe(false);
});

test("the cost bars are the cost model's figures, and prod's budget lines sit above prod's regions summed, not over each region", async () => {
  const model = costOf(loadEnvironments(SAMPLES).fleet);
  for (const [measure, figure] of [
    ['metrics', (stack: (typeof model.stacks)[number]) => stack.metrics],
    ['usd', (stack: (typeof model.stacks)[number]) => stack.monthlyUsd],
  ] as const) {
    const bars = await page.$$eval(`svg[data-measure="${measure}"] g.bar`, (elements) =>
      elements.map((element) => [
        element.getAttribute('data-stack'),
        Number(element.getAttribute('data-value')),
        Array.from(element.querySelectorAll('rect')).reduce(
          (sum, rect) => sum + Number(rect.getAttribute('data-value')),
          0,
        ),
      ]),
    );
    const regions = bars.filter(([stack]) => stack !== 'all regions');
    expect(regions.map(([stack, value]) => [stack, value])).toEqual(
      model.stacks.map((stack) => [stack.stack, figure(stack)]),
    );
    // prod's two regions, summed in a bar of their own: what its budget limits.
    const prod = model.stacks.filter((stack) => stack.environment === 'prod');
    expect(bars.filter(([stack]) => stack === 'all regions').map(([, value]) => value)).toEqual([
      prod.reduce((sum, stack) => sum + figure(stack), 0),
    ]);
    // The segments (one per destination) add up to the bar.
    for (const [, value, segments] of bars) expect(segments as number).toBeCloseTo(value as number, 6);
  }
  for (const [measure, budget] of [
    ['metrics', '10000'],
    ['usd', '3000'],
  ]) {
    const chart = page.locator(`figure[data-environment="prod"] svg[data-measure="${measure}"]`);
    const line = chart.locator('line.budget-line');
    expect(await line.getAttribute('data-budget')).toBe(budget);
    expect(await line.getAttribute('data-limits')).toBe('all regions');
    const lineY = Number(await line.getAttribute('y1'));
    const [x1, x2] = [Number(await line.getAttribute('x1')), Number(await line.getAttribute('x2'))];
    const total = chart.locator('g.bar[data-stack="all regions"] rect');
    const tops = await total.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('y'))));
    // SVG's y grows downwards: prod's regions together (4,724 metrics, $1,417.20 a month) stay below both budgets.
    expect(Math.min(...tops)).toBeGreaterThan(lineY);
    // The line spans the bar of the regions summed only, not the bars of single regions.
    const xs = await chart
      .locator('g.bar rect')
      .evaluateAll((rects) =>
        rects.map((rect) => [rect.closest('g')!.getAttribute('data-stack'), Number(rect.getAttribute('x'))] as const),
      );
    for (const [stack, x] of xs) expect(x >= x1 && x <= x2).toBe(stack === 'all regions');
  }
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test("printed, every stack's details are on the page", async () => {
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.stack-details').first().isVisible()).toBe(true);
  expect(await page.locator('.stack-details:visible').count()).toBe(report.stacks.length);
  await page.emulateMedia({ media: 'screen' });
  expect(await page.locator('.stack-details:visible').count()).toBe(0);
});

test('a generated 500-stack report loads, renders every cell, and stays usable', async () => {
  const environments = Array.from({ length: 250 }, (_, index) => ({
    file: `env-${index}.yaml`,
    environment: EnvironmentSchema.parse(
      environmentFields(`env-${index}`, String(100000000000 + index), {
        wave: index % 5,
        regions: ['eu-west-1', 'us-east-1'],
        budgets: { maxMetrics: 50 },
        configurationSets: [
          {
            name: 'mail',
            eventDestinations: [
              {
                name: 'metrics',
                eventTypes: ['send', 'bounce'],
                cloudWatch: { dimensions: [{ name: 'campaign', source: 'messageTag', defaultValue: 'none' }] },
              },
            ],
          },
        ],
      }),
    ),
  }));
  const fleet = resolveFleet(environments);
  const outcomes = ['applied', 'no-changes', 'failed', 'not-touched'] as const;
  const large: RunReport = {
    command: 'rollout',
    local: false,
    stacks: fleet.stacks.map((stack, index) => ({
      stack: stack.name,
      environment: stack.environment.name,
      accountId: stack.accountId,
      region: stack.region,
      wave: stack.wave,
      protect: false,
      outcome: outcomes[index % outcomes.length],
      retries: [],
      recovered: [],
    })),
    refusals: [],
    exitCode: 1,
    cost: costView(fleet),
  };
  const file = path.join(fixture.root, 'large.html');
  fs.writeFileSync(file, runReportHtml(large));
  const started = Date.now();
  await page.goto(`file://${file}`);
  await page.waitForSelector('.cell');
  const loaded = Date.now() - started;
  const timing = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return Math.round(navigation.loadEventEnd);
  });
  console.log(
    `500-stack HTML report: ${fs.statSync(file).size.toLocaleString('en-US')} bytes; loaded and rendered in ${loaded} ms (load event at ${timing} ms)`,
  );
  expect(await page.locator('.cell').count()).toBe(500);
  expect(await page.locator('.cell[data-outcome="failed"]').count()).toBe(125);
  await page.click('.cell[data-stack="env-249-us-east-1"]');
  expect(await page.textContent('#stack-dialog-title')).toBe('env-249-us-east-1');
});
