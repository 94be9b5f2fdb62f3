/**
 * Dimension sets on the emulator: one SES destination per set, read back through the SDK, and a
 * third set added later creates one destination and touches nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetConfigurationSetEventDestinationsCommand } from '@aws-sdk/client-sesv2';
import { loadEnvironments } from '../../src/fleet/loader';
import { LocalStacks } from '../helpers/local-stacks';
import { environmentYaml, writeFiles } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '666666666666';
const STACK = 'sets-eu-west-1';

const environment = (dimensionSets: string) =>
  environmentYaml(
    'sets',
    ACCOUNT,
    `configurationSets:
  - name: marketing
    eventDestinations:
      - name: campaigns
        eventTypes: [send, delivery, open]
        cloudWatch:
          dimensions:
            - { name: campaign, source: messageTag, defaultValue: unknown, expectedValues: 20 }
            - { name: genre, source: messageTag, defaultValue: none, expectedValues: 6 }
          dimensionSets: ${dimensionSets}
`,
  );

let files: ReturnType<typeof writeFiles>;
let local: LocalStacks;

beforeAll(async () => {
  files = writeFiles({ 'sets.yaml': environment('[[campaign], [campaign, genre]]') });
  local = await LocalStacks.start(files.dir);
  await local.workspace(STACK).init();
}, 300_000);

afterAll(async () => {
  await local?.stop();
  files?.cleanup();
});

async function readBack() {
  const ses = await local.ses(ACCOUNT, 'eu-west-1');
  const { EventDestinations = [] } = await ses.send(
    new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'marketing' }),
  );
  return EventDestinations.map((destination) => ({
    name: destination.Name,
    enabled: destination.Enabled,
    eventTypes: [...(destination.MatchingEventTypes ?? [])].sort(),
    dimensions: destination.CloudWatchDestination?.DimensionConfigurations?.map(
      (dimension) => `${dimension.DimensionName}=${dimension.DefaultDimensionValue}`,
    ),
  })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

// One journey (so it runs alone): the third set is added to what the first apply created.
test('each dimension set is a destination of its own in SES; adding a third plans one new destination and no other SES change', async () => {
  {
    // 1. each dimension set is a destination of its own in SES, with the shared event types and defaults.
    await local.workspace(STACK).apply();
    expect(await readBack()).toEqual([
      {
        name: 'campaigns-campaign',
        enabled: true,
        eventTypes: ['DELIVERY', 'OPEN', 'SEND'],
        dimensions: ['campaign=unknown'],
      },
      {
        name: 'campaigns-campaign-genre',
        enabled: true,
        eventTypes: ['DELIVERY', 'OPEN', 'SEND'],
        dimensions: ['campaign=unknown', 'genre=none'],
      },
    ]);
  }
  {
    // 2. adding a third set plans one new destination and no other SES change.
    fs.writeFileSync(path.join(files.dir, 'sets.yaml'), environment('[[genre], [campaign], [campaign, genre]]'));
    const { environments, problems } = loadEnvironments(files.dir);
    expect(problems).toEqual([]);
    local.synth(environments);
    const plan = await local.workspace(STACK).plan();
    // The new destination, and the stack's record of metric estimates, which now counts it.
    expect(plan.text).toBe('1 to add, 1 to change, 0 to destroy');
    expect(plan.output).toMatch(
      /# aws_sesv2_configuration_set_event_destination\.marketing_campaigns-genre_\w+ will be created/,
    );
    await local.workspace(STACK).apply();
    expect((await readBack()).map((destination) => destination.name)).toEqual([
      'campaigns-campaign',
      'campaigns-campaign-genre',
      'campaigns-genre',
    ]);
  }
});
