/**
 * Drift that can go green: console-made sets and destinations keep a drift run at exit 2 until the
 * environment acknowledges them (drift.ignore, with a reason and an optional expiry date). Then they
 * are listed apart and the run exits 0; once an acknowledgement expires, its finding counts again.
 */
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand } from '@aws-sdk/client-sesv2';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '740000000013';
const SETS = `configurationSets:
  - name: orders
    eventDestinations:
      - name: sends
        eventTypes: [send]
        cloudWatch:
          dimensions: [{ name: kind, source: messageTag, defaultValue: none }]
`;
const withIgnore = (ignore: string) => environmentYaml('ack', ACCOUNT, `${SETS}drift:\n  ignore:\n${ignore}`);

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start({ 'ack.yaml': environmentYaml('ack', ACCOUNT, SETS) });
  expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
  const ses = await fixture.ses(ACCOUNT);
  await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'console-test' }));
  await ses.send(
    new CreateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: 'orders',
      EventDestinationName: 'hand-made',
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['CLICK'],
        CloudWatchDestination: {
          DimensionConfigurations: [
            { DimensionName: 'team', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' },
          ],
        },
      },
    }),
  );
});

afterAll(async () => fixture?.stop());

test('unacknowledged console-made resources keep drift at exit 2', async () => {
  const drift = await fixture.report(['drift', '--all']);
  expect(drift.exitCode).toBe(2);
  expect(drift.stacks[0].drift).toMatchObject({
    unmanagedSets: ['console-test'],
    unmanagedDestinations: [{ configurationSet: 'orders', name: 'hand-made' }],
  });
});

test('acknowledged ones are listed apart with their reasons, and drift exits 0', async () => {
  fixture.write(
    'ack.yaml',
    withIgnore(`    - { match: "console-*", reason: "QA's manual test set", expires: "2999-12-31" }
    - { match: "orders/hand-*", reason: "click experiment by the growth team" }
`),
  );
  const drift = await fixture.report(['drift', '--all']);
  expect(drift.exitCode).toBe(0);
  expect(drift.stacks[0].outcome).toBe('in-sync');
  expect(drift.stacks[0].drift).toEqual({
    resources: [],
    unmanagedSets: [],
    unmanagedDestinations: [],
    acknowledged: [
      { kind: 'configuration set', name: 'console-test', reason: "QA's manual test set", expires: '2999-12-31' },
      { kind: 'destination', name: 'orders/hand-made', reason: 'click experiment by the growth team' },
    ],
  });
  const text = await fixture.run(['drift', '--all']);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(
    "  acknowledged: configuration set console-test: QA's manual test set (until 2999-12-31)",
  );
});

test('an expired acknowledgement counts again, and says so', async () => {
  fixture.write(
    'ack.yaml',
    withIgnore(`    - { match: "console-*", reason: "QA's manual test set", expires: "2020-01-31" }
    - { match: "orders/hand-*", reason: "click experiment by the growth team" }
`),
  );
  const text = await fixture.run(['drift', '--all']);
  expect(text.code).toBe(2);
  expect(text.stdout).toContain(
    "? configuration set console-test exists in the account but no environment declares it (left alone); its acknowledgement expired on 2020-01-31 (QA's manual test set)",
  );
  expect(text.stdout).toContain('  acknowledged: destination orders/hand-made: click experiment by the growth team');
});
