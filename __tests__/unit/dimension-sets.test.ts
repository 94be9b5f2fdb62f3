import { ConfigurationSet, Dimension, dimensionSetDestinationName } from '../../modules';
import { environmentYaml, synth, writeFiles } from '../helpers/synth';
import { loadEnvironments } from '../../src/fleet/loader';
import { formatProblem } from '../../src/environment/problems';

const campaign = Dimension.messageTag('campaign', 'unknown');
const genre = Dimension.messageTag('genre', 'none');
const channel = Dimension.messageTag('channel', 'email');

function withSets(dimensionSets: string[][]) {
  return synth((scope) =>
    new ConfigurationSet(scope, 'set', { name: 'marketing' }).addCloudWatchDestinations({
      name: 'campaigns',
      eventTypes: ['send', 'delivery'],
      dimensions: [campaign, genre, channel],
      dimensionSets,
    }),
  );
}

const destinations = (stack: ReturnType<typeof withSets>) =>
  stack.parsed.resource!.aws_sesv2_configuration_set_event_destination as Record<string, unknown>;

describe('dimension sets', () => {
  test('given campaign and campaign+genre, then one destination per set, sharing event types and defaults', () => {
    const stack = withSets([['campaign'], ['genre', 'campaign']]);
    expect(stack.count('aws_sesv2_configuration_set_event_destination')).toBe(2);
    const alone = stack.destination('marketing', 'campaigns-campaign').event_destination;
    const both = stack.destination('marketing', 'campaigns-campaign-genre').event_destination;
    expect(alone.matching_event_types).toEqual(['SEND', 'DELIVERY']);
    expect(both.matching_event_types).toEqual(['SEND', 'DELIVERY']);
    expect(alone.cloud_watch_destination.dimension_configuration.map((d) => d.dimension_name)).toEqual(['campaign']);
    // Dimensions keep their declared order within a set.
    expect(both.cloud_watch_destination.dimension_configuration).toEqual([
      { dimension_name: 'campaign', dimension_value_source: 'MESSAGE_TAG', default_dimension_value: 'unknown' },
      { dimension_name: 'genre', dimension_value_source: 'MESSAGE_TAG', default_dimension_value: 'none' },
    ]);
  });

  test('adding a third set adds one destination and changes nothing else', () => {
    const before = destinations(withSets([['campaign'], ['campaign', 'genre']]));
    const after = destinations(withSets([['campaign'], ['campaign', 'genre'], ['channel']]));
    const added = Object.keys(after).filter((id) => !(id in before));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^set_campaigns-channel_/);
    for (const [id, resource] of Object.entries(before)) expect(after[id]).toEqual(resource);
  });

  test('reordering the sets, or the names within a set, changes nothing', () => {
    expect(destinations(withSets([['genre', 'campaign'], ['campaign']]))).toEqual(
      destinations(withSets([['campaign'], ['campaign', 'genre']])),
    );
  });

  test('names stay within 64 characters, readable where they fit and unique where they do not', () => {
    expect(dimensionSetDestinationName('engagement', ['ses:from-domain', 'campaign'])).toBe(
      'engagement-campaign-ses-from-domain',
    );
    const long = dimensionSetDestinationName('a'.repeat(40), ['b'.repeat(20), 'c'.repeat(20)]);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^a{40}-b{14}-[0-9a-f]{8}$/);
    expect(dimensionSetDestinationName('a'.repeat(40), ['b'.repeat(20), 'd'.repeat(20)])).not.toBe(long);
  });

  test('the construct refuses a set naming an unknown dimension', () => {
    expect(() => withSets([['campaign'], ['gnere']])).toThrow(
      'dimensionSets[1][0]: "gnere" is not a dimension of this destination: declare it under cloudWatch.dimensions. Did you mean "genre"?',
    );
  });
});

describe('dimension sets in environment files', () => {
  function problems(cloudWatchExtra: string, otherDestinations = 0) {
    const others = Array.from(
      { length: otherDestinations },
      (_, index) => `      - name: other${index}
        eventTypes: [send]
        cloudWatch:
          dimensions: [{ name: x, source: messageTag, defaultValue: none, expectedValues: 1 }]
`,
    ).join('');
    const { dir, cleanup } = writeFiles({
      'dev.yaml': environmentYaml(
        'dev',
        '111111111111',
        `configurationSets:
  - name: marketing
    eventDestinations:
${others}      - name: campaigns
        eventTypes: [send]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: none, expectedValues: 5 }
            - { name: genre, source: messageTag, defaultValue: none, expectedValues: 5 }
${cloudWatchExtra}`,
      ),
    });
    try {
      return loadEnvironments(dir).problems.map((problem) =>
        formatProblem(problem).replace(/^.*dev\.yaml/, 'dev.yaml'),
      );
    } finally {
      cleanup();
    }
  }

  test('valid sets pass', () => {
    expect(problems('          dimensionSets: [[campaign], [campaign, genre]]\n')).toEqual([]);
  });

  test('unknown dimensions, repeated sets and empty sets are refused where they are written', () => {
    expect(
      problems('          dimensionSets: [[campaign], [gnere], [genre, campaign], [campaign, genre], []]\n'),
    ).toEqual([
      'dev.yaml:16:40: configurationSets[name=marketing].eventDestinations[name=campaigns].cloudWatch.dimensionSets[1][0]: "gnere" is not a dimension of this destination: declare it under cloudWatch.dimensions. Did you mean "genre"?',
      'dev.yaml:16:67: configurationSets[name=marketing].eventDestinations[name=campaigns].cloudWatch.dimensionSets[3]: this dimension set repeats set 2 (order does not matter).',
      'dev.yaml:16:86: configurationSets[name=marketing].eventDestinations[name=campaigns].cloudWatch.dimensionSets[4]: a dimension set needs at least one dimension.',
    ]);
  });

  test('each expanded destination counts against the 10 per configuration set', () => {
    expect(problems('          dimensionSets: [[campaign], [campaign, genre]]\n', 8)).toEqual([]);
    expect(problems('          dimensionSets: [[campaign], [campaign, genre]]\n', 9)).toEqual([
      expect.stringMatching(
        /configurationSets\[name=marketing\]\.eventDestinations: 11 event destinations declared in this configuration set, but SES allows at most 10 per set\.$/,
      ),
    ]);
  });

  test('a query naming an unknown dimension is refused', () => {
    expect(problems('          queries: [[campaing]]\n')).toEqual([
      expect.stringContaining(
        'cloudWatch.queries[0][0]: "campaing" is not a dimension of this destination, so no metric can be queried by it. Did you mean "campaign"?',
      ),
    ]);
  });
});
