/**
 * The plan report end to end, with real Terraform on the emulator: the samples applied, then one edit
 * of their shared base that changes a dimension's default value, a dimension's source, an event type
 * and a set option. The report must name all four with their values, and its metric figures must be
 * the cost model's, before (recorded in the state at apply) and after.
 */
import { costOf } from '../../src/cost/cost-model';
import { loadEnvironments } from '../../src/fleet/loader';
import { EngineFixture, stackIn } from '../helpers/engine-fixture';
import { sampleFiles } from '../helpers/synth';

jest.setTimeout(300_000);

const samples = sampleFiles();

/** Replaces one exact piece of the sample base, failing loudly if the samples moved on. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the sample base no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start(samples);
});

afterAll(async () => {
  await fixture?.stop();
});

const devMetrics = () =>
  costOf(loadEnvironments(fixture.environments).fleet).stacks.find((s) => s.stack === 'dev-eu-west-1')!;

test("one edit, four kinds of change: the report names each with its values, and the metrics are the cost model's", async () => {
  const applied = await fixture.run(['rollout', '--env', 'dev', '--auto-approve']);
  expect(applied.code).toBe(0);
  const before = devMetrics();

  let base = samples['_base.yaml'];
  base = edit(base, 'tlsPolicy: REQUIRE', 'tlsPolicy: OPTIONAL');
  base = edit(base, 'eventTypes: [OPEN, CLICK, SUBSCRIPTION]', 'eventTypes: [OPEN, CLICK, SUBSCRIPTION, DELIVERY]');
  base = edit(
    base,
    'defaultValue: unknown\n              expectedValues: 20\n            - name: link\n              source: linkTag',
    'defaultValue: unknown-campaign\n              expectedValues: 20\n            - name: link\n              source: messageTag',
  );
  fixture.write('_base.yaml', base);
  const after = devMetrics();

  const report = await fixture.report(['plan', '--env', 'dev']);
  expect(report.exitCode).toBe(2);
  const changes = stackIn(report, 'dev-eu-west-1').changes!;
  // The set, the destination, and the dashboard, which draws the destination's new event type.
  expect(changes.counts).toEqual({ add: 0, change: 3, replace: 0, destroy: 0, import: 0 });
  expect(changes.monitoring).toEqual([
    expect.objectContaining({ kind: 'dashboard', name: 'sesform-dev-eu-west-1', action: 'update' }),
  ]);
  expect(changes.configurationSets).toMatchObject([
    {
      name: 'transactional',
      action: 'update',
      changes: [{ attribute: 'tls policy', before: 'REQUIRE', after: 'OPTIONAL' }],
    },
  ]);
  const [engagement] = changes.destinations;
  expect(engagement).toMatchObject({
    configurationSet: 'marketing',
    name: 'engagement',
    action: 'update',
    changes: [],
    eventTypesAdded: ['DELIVERY'],
    eventTypesRemoved: [],
    dimensions: [
      {
        name: 'campaign',
        change: 'changed',
        before: { source: 'MESSAGE_TAG', defaultValue: 'unknown' },
        after: { source: 'MESSAGE_TAG', defaultValue: 'unknown-campaign' },
      },
      {
        name: 'link',
        change: 'changed',
        before: { source: 'LINK_TAG', defaultValue: 'none' },
        after: { source: 'MESSAGE_TAG', defaultValue: 'none' },
      },
    ],
  });
  // Worked out by hand: campaign 20 values + default, link 15 + default. Before, link is a link tag,
  // which reaches clicks only: open and subscription 21 x 1 each, click 21 x 16. After, it is a
  // message tag, on every event type: 4 event types x 21 x 16.
  expect([engagement.metricsBefore, engagement.metricsAfter]).toEqual([2 * 21 + 21 * 16, 4 * 21 * 16]);
  // The stack's figures are the cost model's, before (recorded in the state at apply) and after.
  expect(changes.metrics).toEqual({ before: before.metrics, after: after.metrics });
  expect(changes.metrics.after - changes.metrics.before!).toBe(after.metrics - before.metrics);

  const text = await fixture.run(['plan', '--env', 'dev']);
  expect(text.stdout).toContain(
    '    ~ configuration set transactional: update in place; tls policy "REQUIRE" -> "OPTIONAL"',
  );
  expect(text.stdout).toContain(
    '    ~ destination marketing/engagement: update in place; events +DELIVERY; dimensions ~campaign default "unknown" -> "unknown-campaign", ~link source "LINK_TAG" -> "MESSAGE_TAG"; metrics 378 -> 1,344 (+966)',
  );
});
