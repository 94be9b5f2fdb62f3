/**
 * The cost estimate equals what SES publishes, at unit speed: 24 generated environments (fixed seed)
 * go through the fleet and cost model, and their traffic matrix through the emulator's own publishing
 * code (src/emulator/ses_events.py, imported directly in one Python process, every event type). The
 * distinct series per destination must equal the model's metric count exactly, and no series may be
 * one the model says SES cannot publish. The e2e variant runs a few environments through Terraform.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EmailSendingEvent } from '../../modules/ses-enums';
import { costOf } from '../../src/cost/cost-model';
import { loadEnvironments } from '../../src/fleet/loader';
import {
  EnvironmentSpec,
  SOURCES,
  Series,
  configurationSetsYaml,
  generateEnvironments,
  htmlOf,
  impossibilities,
  trafficFor,
} from '../helpers/publishing-matrix';
import { PROJECT_ROOT, environmentYaml, writeFiles } from '../helpers/synth';

const ENVIRONMENTS = generateEnvironments({
  seed: 20261204,
  count: 24,
  eventTypes: Object.values(EmailSendingEvent),
  maxValues: 2,
  callers: (random) => (random() < 0.5 ? ['app-a'] : ['app-a', 'app-b']),
  firstAccount: 810000000000,
});

/** What the emulator's publishing code emits for each environment's traffic: series by set and destination. */
const PUBLISHER = `
import json, sys
import ses_events as ev
EVENTS = list(ev.METRIC_NAMES)
found = {}
for environment in json.load(sys.stdin):
    for s in environment["sets"]:
        for destination in s["destinations"]:
            series = set()
            for m in s["messages"]:
                message = ev.SentMessage(environment["accountId"], "eu-west-1", s["name"], m["from"],
                    ["success@simulator.amazonses.com"], m["tags"], list(m["headers"].items()), m["html"], m["caller"])
                for event in EVENTS:
                    links = message.links if event == "CLICK" else [None]
                    for link in links:
                        for point in ev.data_points([destination], message, event, link):
                            series.add(json.dumps([point["MetricName"], {d["Name"]: d["Value"] for d in point["Dimensions"]}], sort_keys=True))
            found["/".join([environment["name"], s["name"], destination["Name"]])] = [json.loads(x) for x in sorted(series)]
print(json.dumps(found))
`;

/** The SES v2 shape of a destination, as the emulator stores it after Terraform's create call. */
function apiDestination(destination: EnvironmentSpec['sets'][number]['destinations'][number]) {
  return {
    Name: destination.name,
    Enabled: destination.enabled,
    MatchingEventTypes: destination.eventTypes,
    CloudWatchDestination: {
      DimensionConfigurations: destination.dimensions.map((dimension) => ({
        DimensionName: dimension.name,
        DimensionValueSource: SOURCES[dimension.source],
        DefaultDimensionValue: dimension.defaultValue,
      })),
    },
  };
}

function published(): Record<string, Series[]> {
  const input = ENVIRONMENTS.map((environment) => ({
    name: environment.name,
    accountId: environment.accountId,
    sets: environment.sets.map((set) => ({
      name: set.name,
      destinations: set.destinations.map(apiDestination),
      messages: trafficFor(environment, set).map((message) => ({ ...message, html: htmlOf(message) })),
    })),
  }));
  const result = spawnSync(process.env.SESFORM_PYTHON ?? 'python3', ['-c', PUBLISHER], {
    cwd: path.join(PROJECT_ROOT, 'src', 'emulator'),
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  const raw = JSON.parse(result.stdout) as Record<string, [string, Record<string, string>][]>;
  return Object.fromEntries(
    Object.entries(raw).map(([key, list]) => [
      key,
      list.map(([metricName, dimensions]) => ({ metricName, dimensions })),
    ]),
  );
}

/** The cost model's count per destination, as `sesform cost` computes it from the environment files. */
function estimated(): Record<string, number> {
  const files = Object.fromEntries(
    ENVIRONMENTS.map((environment) => [
      `${environment.name}.yaml`,
      environmentYaml(environment.name, environment.accountId, configurationSetsYaml(environment)),
    ]),
  );
  const { dir, cleanup } = writeFiles(files);
  try {
    const { fleet, problems } = loadEnvironments(dir);
    expect(problems).toEqual([]);
    const report = costOf(fleet);
    return Object.fromEntries(
      report.stacks.flatMap((stack) =>
        stack.destinations.map((destination) => [
          `${stack.environment}/${destination.configurationSet}/${destination.destination}`,
          destination.metrics,
        ]),
      ),
    );
  } finally {
    cleanup();
  }
}

describe('the cost model against the emulator publishing the traffic matrix', () => {
  const model = estimated();
  const emulator = published();

  test('the generated environments cover every source, every auto-tag, link tags on open and click, and disabled destinations', () => {
    const destinations = ENVIRONMENTS.flatMap((environment) => environment.sets.flatMap((set) => set.destinations));
    const names = new Set(destinations.flatMap((destination) => destination.dimensions.map((d) => d.name)));
    expect([...names].sort()).toEqual(
      [
        'X-Region',
        'X-Team',
        'button',
        'campaign',
        'link',
        'tier',
        'ses:caller-identity',
        'ses:configuration-set',
        'ses:from-domain',
        'ses:outgoing-ip',
        'ses:outgoing-tls-version',
        'ses:source-ip',
        'ses:source-tls-version',
      ].sort(),
    );
    const linked = destinations.filter((destination) =>
      destination.dimensions.some((dimension) => dimension.source === 'linkTag'),
    );
    expect(linked.some((d) => d.eventTypes.includes(EmailSendingEvent.CLICK))).toBe(true);
    expect(linked.some((d) => d.eventTypes.includes(EmailSendingEvent.OPEN))).toBe(true);
    expect(destinations.some((destination) => !destination.enabled)).toBe(true);
    expect(new Set(destinations.flatMap((destination) => destination.eventTypes)).size).toBe(10);
    expect(Object.keys(model).length).toBeGreaterThanOrEqual(60);
  });

  test('every destination: distinct series published = the estimate', () => {
    const observed = Object.fromEntries(Object.entries(emulator).map(([key, series]) => [key, series.length]));
    expect(observed).toEqual(model);
    expect(Object.values(model).reduce((sum, metrics) => sum + metrics, 0)).toBeGreaterThan(500);
  });

  test('no series the publishing rules say SES cannot publish', () => {
    const wrong = ENVIRONMENTS.flatMap((environment) =>
      Object.entries(emulator)
        .filter(([key]) => key.startsWith(`${environment.name}/`))
        .flatMap(([key, list]) =>
          list.flatMap((series) => impossibilities(environment, series).map((why) => `${key}: ${why}`)),
        ),
    );
    expect(wrong).toEqual([]);
  });
});
