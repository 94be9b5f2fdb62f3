/**
 * The fleet model: one resolution of the environments that synth, cost, reports and the IAM policy all
 * read. Its addresses, import IDs and metric figures are checked against what cdktf synthesizes and
 * against figures worked out by hand.
 */
import { Sesv2ConfigurationSet, Sesv2ConfigurationSetEventDestination } from '../../src/cdk/aws-provider';
import { App, Testing } from '../../src/cdk/cdk-core';
import { addEnvironmentStacks } from '../../src/app';
import { costOf } from '../../src/cost/cost-model';
import { EnvironmentSchema } from '../../src/environment/schema';
import { Fleet, fleetDestinations, resolveFleet } from '../../src/fleet/fleet';
import { METRIC_RECORD_ADDRESS } from '../../src/fleet/metric-record';
import { RESOURCE_TYPES } from '../../src/fleet/resource-types';
import { environmentFields, readStack } from '../helpers/synth';

function environment(name: string, account: string, extra: Record<string, unknown> = {}) {
  return EnvironmentSchema.parse(
    environmentFields(name, account, {
      regions: ['eu-west-1', 'us-east-1'],
      stateBackend: { bucket: 'state', keyPrefix: 'ses', region: 'eu-west-1' },
      ...extra,
    }),
  );
}

const fleet: Fleet = resolveFleet([
  {
    file: 'news.yaml',
    environment: environment('news', '111111111111', {
      wave: 1,
      configurationSets: [
        {
          name: 'newsletters',
          eventDestinations: [
            {
              name: 'campaigns',
              eventTypes: ['send', 'OPEN', 'send'],
              cloudWatch: {
                dimensions: [
                  { name: 'campaign', source: 'messageTag', defaultValue: 'none', expectedValues: 3 },
                  { name: 'genre', source: 'MESSAGE_TAG', defaultValue: 'none', expectedValues: 4 },
                ],
                dimensionSets: [['campaign'], ['campaign', 'genre']],
              },
            },
            {
              name: 'off',
              enabled: false,
              eventTypes: ['bounce'],
              cloudWatch: { dimensions: [{ name: 'ses:configuration-set', source: 'messageTag', defaultValue: 'x' }] },
            },
          ],
        },
      ],
    }),
  },
  { file: 'alerts.yaml', environment: environment('alerts', '222222222222', { wave: 0 }) },
]);

test('one stack per environment and region, in wave order, with its account, role, and state key', () => {
  expect(fleet.stacks.map((stack) => [stack.wave, stack.name])).toEqual([
    [0, 'alerts-eu-west-1'],
    [0, 'alerts-us-east-1'],
    [1, 'news-eu-west-1'],
    [1, 'news-us-east-1'],
  ]);
  const [, , news] = fleet.stacks;
  expect(news).toMatchObject({
    accountId: '111111111111',
    region: 'eu-west-1',
    file: 'news.yaml',
    deployRole: { arn: 'arn:aws:iam::111111111111:role/ses-deploy', sessionName: 'sesform-news' },
    state: { bucket: 'state', key: 'ses/news/eu-west-1/terraform.tfstate', region: 'eu-west-1' },
  });
});

test('destinations after dimension-set expansion and event-type normalisation, with their metric estimates', () => {
  const destinations = fleetDestinations(fleet.stacks.filter((stack) => stack.name === 'news-eu-west-1'));
  // campaign: 3 values + the default = 4; genre: 4 + 1 = 5; event types SEND and OPEN (the repeat dropped).
  expect(destinations.map((each) => [each.name, each.eventTypes, each.importId, each.metrics])).toEqual([
    ['campaigns-campaign', ['SEND', 'OPEN'], 'newsletters|campaigns-campaign', 2 * 4],
    ['campaigns-campaign-genre', ['SEND', 'OPEN'], 'newsletters|campaigns-campaign-genre', 2 * 4 * 5],
    ['off', ['BOUNCE'], 'newsletters|off', 0],
  ]);
  const [set] = fleet.stacks[2].configurationSets;
  expect(set).toMatchObject({ importId: 'newsletters', metrics: 8 + 40, protect: false });
  expect(fleet.stacks[2].metrics).toBe(48);
});

test('the cost report reads the same figures', () => {
  const cost = costOf(fleet);
  expect(cost.stacks.map((stack) => [stack.stack, stack.metrics])).toEqual([
    ['alerts-eu-west-1', 0],
    ['alerts-us-east-1', 0],
    ['news-eu-west-1', 48],
    ['news-us-east-1', 48],
  ]);
});

test("addresses and resource types are the ones cdktf synthesizes, and each stack records its destinations' estimates", () => {
  expect(RESOURCE_TYPES.configurationSet).toBe(Sesv2ConfigurationSet.tfResourceType);
  expect(RESOURCE_TYPES.eventDestination).toBe(Sesv2ConfigurationSetEventDestination.tfResourceType);
  const app = Testing.app();
  const stacks = addEnvironmentStacks(app as App, fleet);
  for (const stack of stacks) {
    const synthesized = readStack(Testing.synth(stack)).parsed.resource ?? {};
    const addresses = Object.entries(synthesized).flatMap(([type, resources]) =>
      Object.keys(resources).map((name) => `${type}.${name}`),
    );
    const model = stack.fleetStack;
    expect(addresses.sort()).toEqual(
      [
        METRIC_RECORD_ADDRESS,
        ...model.configurationSets.flatMap((set) => [
          set.address,
          ...set.destinations.map((destination) => destination.address),
        ]),
      ].sort(),
    );
    const [, record] = Object.entries(synthesized[RESOURCE_TYPES.metricRecord])[0];
    const recorded = (record as { input: { destinations: Record<string, { metrics: number }> } }).input;
    expect(Object.values(recorded.destinations).reduce((sum, each) => sum + each.metrics, 0)).toBe(model.metrics);
  }
});
