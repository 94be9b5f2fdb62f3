/**
 * Edits of an environment file plan as what they are: an added event type or dimension updates the
 * destination in place (no gap in metrics), a renamed destination replaces it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetConfigurationSetEventDestinationsCommand } from '@aws-sdk/client-sesv2';
import { loadEnvironments } from '../../src/fleet/loader';
import { LocalStacks } from '../helpers/local-stacks';
import { environmentYaml, writeFiles } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '444444444444';
const STACK = 'edits-eu-west-1';

function environment({
  eventTypes,
  dimensions,
  destinationName,
}: {
  eventTypes: string;
  dimensions: string;
  destinationName: string;
}) {
  return environmentYaml(
    'edits',
    ACCOUNT,
    `configurationSets:
  - name: notifications
    eventDestinations:
      - name: ${destinationName}
        eventTypes: [${eventTypes}]
        cloudWatch:
          dimensions:
${dimensions}
`,
  );
}

const campaign = '            - { name: campaign, source: messageTag, defaultValue: none }';
const template = '            - { name: template, source: messageTag, defaultValue: none }';

let files: ReturnType<typeof writeFiles>;
let local: LocalStacks;

beforeAll(async () => {
  files = writeFiles({
    'edits.yaml': environment({ eventTypes: 'send, bounce', dimensions: campaign, destinationName: 'metrics' }),
  });
  local = await LocalStacks.start(files.dir);
  await local.workspace(STACK).init();
  await local.workspace(STACK).apply();
}, 300_000);

afterAll(async () => {
  await local?.stop();
  files?.cleanup();
});

/** Rewrites the environment file, synthesizes again and plans. */
async function edit(content: Parameters<typeof environment>[0]) {
  fs.writeFileSync(path.join(files.dir, 'edits.yaml'), environment(content));
  const { environments, problems } = loadEnvironments(files.dir);
  expect(problems).toEqual([]);
  local.synth(environments);
  return local.workspace(STACK).plan();
}

async function destinations() {
  const ses = await local.ses(ACCOUNT, 'eu-west-1');
  const { EventDestinations = [] } = await ses.send(
    new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'notifications' }),
  );
  return EventDestinations.map((destination) => ({
    name: destination.Name,
    eventTypes: [...(destination.MatchingEventTypes ?? [])].sort(),
    dimensions: destination.CloudWatchDestination?.DimensionConfigurations?.map((dimension) => dimension.DimensionName),
  }));
}

// One journey (so it runs alone): each edit starts from the state the one before it applied.
test('an added event type or dimension updates the destination in place; a rename replaces it', async () => {
  {
    // 1. adding an event type updates the destination in place.
    const plan = await edit({
      eventTypes: 'send, bounce, complaint',
      dimensions: campaign,
      destinationName: 'metrics',
    });
    // The destination, and the stack's record of its metric estimate.
    expect(plan.text).toBe('0 to add, 2 to change, 0 to destroy');
    expect(plan.output).toMatch(
      /# aws_sesv2_configuration_set_event_destination\.notifications_metrics_\w+ will be updated in-place/,
    );
    await local.workspace(STACK).apply();
    expect(await destinations()).toEqual([
      { name: 'metrics', eventTypes: ['BOUNCE', 'COMPLAINT', 'SEND'], dimensions: ['campaign'] },
    ]);
  }
  {
    // 2. adding a dimension updates the destination in place.
    const plan = await edit({
      eventTypes: 'send, bounce, complaint',
      dimensions: `${campaign}\n${template}`,
      destinationName: 'metrics',
    });
    // The destination, and the stack's record of its metric estimate.
    expect(plan.text).toBe('0 to add, 2 to change, 0 to destroy');
    await local.workspace(STACK).apply();
    expect(await destinations()).toEqual([
      { name: 'metrics', eventTypes: ['BOUNCE', 'COMPLAINT', 'SEND'], dimensions: ['campaign', 'template'] },
    ]);
  }
  {
    // 3. renaming a destination replaces it: the new one is created and the old one destroyed.
    const plan = await edit({
      eventTypes: 'send, bounce, complaint',
      dimensions: `${campaign}\n${template}`,
      destinationName: 'delivery-metrics',
    });
    // The record of metric estimates changes with the destination's address.
    expect(plan.text).toBe('1 to add, 1 to change, 1 to destroy');
    expect(plan.output).toMatch(
      /# aws_sesv2_configuration_set_event_destination\.notifications_metrics_\w+ will be destroyed/,
    );
    expect(plan.output).toMatch(
      /# aws_sesv2_configuration_set_event_destination\.notifications_delivery-metrics_\w+ will be created/,
    );
    await local.workspace(STACK).apply();
    expect(await destinations()).toEqual([
      { name: 'delivery-metrics', eventTypes: ['BOUNCE', 'COMPLAINT', 'SEND'], dimensions: ['campaign', 'template'] },
    ]);
    expect((await local.workspace(STACK).plan()).changes).toBe(false);
  }
});
