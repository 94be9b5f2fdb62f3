/**
 * SNS, EventBridge, Firehose and Pinpoint destinations and the set's VDM options: SES's rules on their
 * targets, the environment file's messages (file:line:column), the constructs' synthesized JSON, the
 * fleet model (placeholders, created topics and roles), the plan report's words, the deploy and plan
 * roles' statements, cost, senders and verify's plan. Every ARN and figure below is written by hand.
 */
import { Testing } from '../../src/cdk/cdk-core';
import {
  ConfigurationSet,
  Dimension,
  EmailSendingEvent,
  EventDestination,
  EventTargets,
  EventTopic,
  FirehoseDeliveryRole,
  SesValidationError,
} from '../../modules';
import { duplicateTargetViolations, targetViolations } from '../../modules/event-targets';
import { firehoseRoleName } from '../../src/environment/destination-targets';
import { deployRolePolicy, planRolePolicy } from '../../src/bootstrap/role-policies';
import { stackChanges } from '../../src/engine/changes';
import { changeLines } from '../../src/report/text';
import { costOf } from '../../src/cost/cost-model';
import { costText } from '../../src/report/cost-report';
import { renderContracts, senderContract } from '../../src/verify/sender-contract';
import { verificationPlan } from '../../src/verify/verification-plan';
import type { PlanJson } from '../../src/terraform/runner';
import { environmentYaml, loadFiles, synth } from '../helpers/synth';

const ACCOUNT = '123456789012';
const PLACE = { accountId: ACCOUNT, region: 'eu-west-1' };

const load = loadFiles;

/** One environment whose only set has the given destinations (YAML, indented under eventDestinations). */
function withDestinations(destinations: string, { regions = '[eu-west-1]', setExtra = '' } = {}): string {
  return environmentYaml(
    'dev',
    ACCOUNT,
    `configurationSets:
  - name: mail
${setExtra}    eventDestinations:
${destinations}`,
  ).replace('regions: [eu-west-1]', `regions: ${regions}`);
}

describe('SES rules on targets', () => {
  test.each([
    [
      'a FIFO topic',
      EventTargets.snsTopic('arn:aws:sns:eu-west-1:123456789012:bounces.fifo'),
      'topicArn: "arn:aws:sns:eu-west-1:123456789012:bounces.fifo" is a FIFO topic: SES publishes events only to standard SNS topics.',
    ],
    [
      'a topic in another region',
      EventTargets.snsTopic('arn:aws:sns:us-east-1:123456789012:bounces'),
      'topicArn: "arn:aws:sns:us-east-1:123456789012:bounces" is in us-east-1, but SES publishes only to resources in the region of the configuration set (eu-west-1): write "{region}" in the ARN so that each region\'s stack names its own.',
    ],
    [
      'a topic in another account',
      EventTargets.snsTopic('arn:aws:sns:eu-west-1:999999999999:bounces'),
      'topicArn: "arn:aws:sns:eu-west-1:999999999999:bounces" is in account 999999999999, not this environment\'s 123456789012: write "{accountId}", or set allowCrossAccount: true on the destination if another account\'s resource is meant (its policy must then let this account\'s SES use it).',
    ],
    [
      'a bus other than the default',
      { kind: 'eventBridge' as const, eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' },
      'eventBusArn: "arn:aws:events:eu-west-1:123456789012:event-bus/orders" is not the default event bus: SES publishes only to the default bus of the account and region (leave eventBusArn out; a rule on the default bus can forward to another bus).',
    ],
    [
      'not a delivery stream ARN',
      EventTargets.firehoseDeliveryStream('ses-events', 'arn:aws:iam::123456789012:role/ses-firehose'),
      'deliveryStreamArn: "ses-events" is not an Firehose delivery stream ARN such as "arn:aws:firehose:eu-west-1:123456789012:deliverystream/ses-events".',
    ],
    [
      'a Pinpoint application that is not one',
      EventTargets.pinpointApplication('arn:aws:mobiletargeting:eu-west-1:123456789012:apps/'),
      'applicationArn: "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/" is not an Pinpoint application ARN such as "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/0123456789abcdef0123456789abcdef".',
    ],
  ])('%s is refused with the rule and the fix', (_what, target, message) => {
    expect(targetViolations(target, PLACE).map((found) => `${found.path.join('.')}: ${found.message}`)).toEqual([
      message,
    ]);
  });

  test('allowCrossAccount lets a topic of another account through, but never a role SES would assume there', () => {
    const place = { ...PLACE, allowCrossAccount: true };
    expect(targetViolations(EventTargets.snsTopic('arn:aws:sns:eu-west-1:999999999999:bounces'), place)).toEqual([]);
    const firehose = EventTargets.firehoseDeliveryStream(
      'arn:aws:firehose:eu-west-1:999999999999:deliverystream/lake',
      'arn:aws:iam::999999999999:role/ses-firehose',
    );
    expect(targetViolations(firehose, place).map((found) => found.path.join('.'))).toEqual(['iamRoleArn']);
  });

  test('the default bus, a standard topic, a stream with its role and an application in place pass', () => {
    for (const target of [
      EventTargets.defaultEventBus(ACCOUNT, 'eu-west-1'),
      EventTargets.snsTopic('arn:aws:sns:eu-west-1:123456789012:ses-bounces'),
      EventTargets.firehoseDeliveryStream(
        'arn:aws:firehose:eu-west-1:123456789012:deliverystream/ses-events',
        'arn:aws:iam::123456789012:role/ses-firehose',
      ),
      EventTargets.pinpointApplication('arn:aws:mobiletargeting:eu-west-1:123456789012:apps/0123456789abcdef'),
    ])
      expect(targetViolations(target, PLACE)).toEqual([]);
  });

  test('two enabled destinations publishing an event type to one resource would deliver it twice, in either spelling', () => {
    const topic = EventTargets.snsTopic('arn:aws:sns:eu-west-1:123456789012:ses-bounces');
    expect(
      duplicateTargetViolations([
        { name: 'first', eventTypes: ['bounce', 'complaint'], target: topic },
        { name: 'paused', enabled: false, eventTypes: ['BOUNCE'], target: topic },
        { name: 'deliveries', eventTypes: ['DELIVERY'], target: topic },
        { name: 'again', eventTypes: ['COMPLAINT', 'SEND'], target: topic },
      ]),
    ).toEqual([
      {
        path: [3],
        message:
          'destination "again" publishes COMPLAINT to "arn:aws:sns:eu-west-1:123456789012:ses-bounces" as "first" already does: SES would deliver each of these events twice. Merge the two, or give them different event types.',
      },
    ]);
  });
});

describe('environment files', () => {
  test('every target problem is reported at once, at its field, with the file, line and column', () => {
    const { lines, environments } = load({
      'dev.yaml': withDestinations(
        `      - name: both
        eventTypes: [bounce]
        sns: { topicArn: "arn:aws:sns:{region}:{accountId}:a", topicName: b }
      - name: two-kinds
        eventTypes: [bounce]
        eventBridge: {}
        pinpoint: { applicationArn: "arn:aws:mobiletargeting:{region}:{accountId}:apps/abc" }
      - name: nowhere
        eventTypes: [send]
      - name: pinned-region
        eventTypes: [delivery]
        sns: { topicArn: "arn:aws:sns:eu-west-1:{accountId}:deliveries" }
      - name: lake
        eventTypes: [send]
        firehose: { deliveryStreamArn: "arn:aws:firehose:{region}:{accountId}:deliverystream/lake" }
`,
        { regions: '[eu-west-1, us-east-1]' },
      ),
    });
    expect(environments).toEqual([]);
    expect(lines).toEqual([
      'dev.yaml:12:9: configurationSets[name=mail].eventDestinations[name=both].sns: give either topicArn (an existing topic) or topicName (a topic sesform creates with a policy that lets SES publish), not both or neither.',
      'dev.yaml:13:9: configurationSets[name=mail].eventDestinations[name=two-kinds]: a destination publishes to one place, but eventBridge and pinpoint are given: declare one destination per target.',
      'dev.yaml:17:9: configurationSets[name=mail].eventDestinations[name=nowhere]: say where SES publishes the events: one of cloudWatch, sns, eventBridge, firehose, pinpoint.',
      'dev.yaml:21:26: configurationSets[name=mail].eventDestinations[name=pinned-region].sns.topicArn: "arn:aws:sns:eu-west-1:123456789012:deliveries" is in eu-west-1, but SES publishes only to resources in the region of the configuration set (us-east-1): write "{region}" in the ARN so that each region\'s stack names its own.',
      'dev.yaml:24:9: configurationSets[name=mail].eventDestinations[name=lake].firehose: give either roleArn (a role SES may assume to write to the stream) or createRole: true (sesform creates a role that may only put records on this stream), not both or neither.',
    ]);
  });

  test('targets of the wrong type are reported by field, never a crash of the region checks', () => {
    const { lines } = load({
      'dev.yaml': withDestinations(
        `      - name: a
        eventTypes: [bounce]
        sns: { topicArn: 5 }
      - eventTypes: [send]
        firehose: { deliveryStreamArn: [1], createRole: true }
      - name: c
        eventTypes: [send]
        pinpoint: { applicationArn: {} }
`,
      ),
    });
    expect(lines).toEqual([
      'dev.yaml:12:26: configurationSets[name=mail].eventDestinations[name=a].sns.topicArn: must be a string, found number 5.',
      'dev.yaml:13:9: configurationSets[name=mail].eventDestinations[1].name: this field is required (string).',
      'dev.yaml:14:21: configurationSets[name=mail].eventDestinations[1].firehose.deliveryStreamArn: must be a string, found a list.',
      'dev.yaml:17:21: configurationSets[name=mail].eventDestinations[name=c].pinpoint.applicationArn: must be a string, found an object.',
    ]);
  });

  test('an alarm cannot watch an SNS destination: it publishes no metrics', () => {
    const { lines } = load({
      'dev.yaml': withDestinations(
        `      - name: feed
        eventTypes: [bounce]
        sns: { topicName: bounces }
`,
        {
          setExtra: `    monitoring:\n      alarms:\n        - { name: bounces, destination: feed, event: bounce, threshold: 5 }\n`,
        },
      ).concat('monitoring: {}\n'),
    });
    expect(lines).toEqual([
      expect.stringContaining(
        'monitoring.alarms[name=bounces].destination: destination "feed" publishes to a target other than CloudWatch and has no metrics to alarm on: name a CloudWatch destination.',
      ),
    ]);
  });
});

describe('constructs', () => {
  test('each target maps to its provider block, enabled by default, event types in the v2 enum', () => {
    const stack = synth((scope) => {
      const set = new ConfigurationSet(scope, 'mail', { name: 'mail' });
      set.addEventDestination({
        name: 'feed',
        eventTypes: ['bounce', EmailSendingEvent.COMPLAINT],
        target: EventTargets.snsTopic('arn:aws:sns:eu-west-1:123456789012:ses-bounces'),
      });
      set.addEventDestination({
        name: 'bus',
        eventTypes: ['send'],
        target: EventTargets.defaultEventBus(ACCOUNT, 'eu-west-1'),
      });
      set.addEventDestination({
        name: 'lake',
        enabled: false,
        eventTypes: ['delivery'],
        target: EventTargets.firehoseDeliveryStream(
          'arn:aws:firehose:eu-west-1:123456789012:deliverystream/lake',
          'arn:aws:iam::123456789012:role/ses-firehose',
        ),
      });
      set.addEventDestination({
        name: 'journeys',
        eventTypes: ['open'],
        target: EventTargets.pinpointApplication('arn:aws:mobiletargeting:eu-west-1:123456789012:apps/abc123'),
      });
    });
    const block = (name: string) => stack.destination('mail', name).event_destination as unknown;
    expect(block('feed')).toEqual({
      enabled: true,
      matching_event_types: ['BOUNCE', 'COMPLAINT'],
      sns_destination: { topic_arn: 'arn:aws:sns:eu-west-1:123456789012:ses-bounces' },
    });
    expect(block('bus')).toEqual({
      enabled: true,
      matching_event_types: ['SEND'],
      event_bridge_destination: { event_bus_arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
    });
    expect(block('lake')).toEqual({
      enabled: false,
      matching_event_types: ['DELIVERY'],
      kinesis_firehose_destination: {
        delivery_stream_arn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/lake',
        iam_role_arn: 'arn:aws:iam::123456789012:role/ses-firehose',
      },
    });
    expect(block('journeys')).toEqual({
      enabled: true,
      matching_event_types: ['OPEN'],
      pinpoint_destination: { application_arn: 'arn:aws:mobiletargeting:eu-west-1:123456789012:apps/abc123' },
    });
  });

  test('the set counts destinations of every kind against the 10 SES allows, and their names together', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const set = new ConfigurationSet(scope, 'mail', { name: 'mail' });
        for (let index = 0; index < 9; index++)
          set.addCloudWatchDestination({
            name: `metrics-${index}`,
            eventTypes: ['send'],
            dimensions: [Dimension.messageTag('campaign', 'none')],
          });
        set.addEventDestination({
          name: 'feed',
          eventTypes: ['bounce'],
          target: EventTargets.snsTopic('arn:aws:sns:eu-west-1:123456789012:a'),
        });
        set.addEventDestination({
          name: 'bus',
          eventTypes: ['bounce'],
          target: EventTargets.defaultEventBus(ACCOUNT, 'eu-west-1'),
        });
      }),
    ).toThrow(/11 event destinations declared in configuration set "mail", but SES allows at most 10 per set\./);
    expect(() =>
      Testing.synthScope((scope) => {
        const set = new ConfigurationSet(scope, 'mail', { name: 'mail' });
        set.addCloudWatchDestination({
          name: 'feed',
          eventTypes: ['send'],
          dimensions: [Dimension.messageTag('campaign', 'none')],
        });
        set.addEventDestination({
          name: 'feed',
          eventTypes: ['bounce'],
          target: EventTargets.snsTopic('arn:aws:sns:eu-west-1:123456789012:a'),
        });
      }),
    ).toThrow(SesValidationError);
  });

  test('a destination checks its target where it is placed', () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const set = new ConfigurationSet(scope, 'mail', { name: 'mail' });
        new EventDestination(set, 'feed', {
          configurationSet: set,
          name: 'feed',
          eventTypes: ['bounce'],
          target: EventTargets.snsTopic('arn:aws:sns:us-east-1:123456789012:a'),
          place: PLACE,
        });
      }),
    ).toThrow(/target\.topicArn: "arn:aws:sns:us-east-1:123456789012:a" is in us-east-1/);
  });

  test('vdmOptions become the provider block in SES words', () => {
    const set = synth(
      (scope) =>
        new ConfigurationSet(scope, 'mail', {
          name: 'mail',
          vdmOptions: { engagementMetrics: true, optimizedSharedDelivery: false },
        }),
    ).configurationSet('mail') as unknown as Record<string, unknown>;
    expect(set.vdm_options).toEqual({
      dashboard_options: { engagement_metrics: 'ENABLED' },
      guardian_options: { optimized_shared_delivery: 'DISABLED' },
    });
  });

  test("the event topic's policy lets SES publish for this set in this account, and nothing else", () => {
    const props = { topicName: 'ses-bounces', configurationSetName: 'mail', accountId: ACCOUNT, region: 'eu-west-1' };
    const stack = synth((scope) => new EventTopic(scope, 'topic', props));
    const topic = Object.values(stack.parsed.resource!.aws_sns_topic)[0] as { name: string; policy: string };
    expect(topic.name).toBe('ses-bounces');
    expect(JSON.parse(topic.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SesPublishesThisSetsEvents',
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: 'SNS:Publish',
          Resource: 'arn:aws:sns:eu-west-1:123456789012:ses-bounces',
          Condition: {
            StringEquals: { 'AWS:SourceAccount': '123456789012' },
            ArnLike: { 'AWS:SourceArn': 'arn:aws:ses:eu-west-1:123456789012:configuration-set/mail' },
          },
        },
      ],
    });
    expect(() => synth((scope) => new EventTopic(scope, 'topic', { ...props, topicName: 'bounces.fifo' }))).toThrow(
      /is not an SNS topic name/,
    );
  });

  test('the Firehose role trusts SES for this set only and may only put records on the one stream', () => {
    const stack = synth(
      (scope) =>
        new FirehoseDeliveryRole(scope, 'role', {
          roleName: 'ses-firehose-dev',
          deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/lake',
          configurationSetName: 'mail',
          accountId: ACCOUNT,
          region: 'eu-west-1',
        }),
    );
    const role = Object.values(stack.parsed.resource!.aws_iam_role)[0] as { name: string; assume_role_policy: string };
    const policy = Object.values(stack.parsed.resource!.aws_iam_role_policy)[0] as { policy: string };
    expect(role.name).toBe('ses-firehose-dev');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'AWS:SourceAccount': '123456789012',
            'AWS:SourceArn': 'arn:aws:ses:eu-west-1:123456789012:configuration-set/mail',
          },
        },
      },
    ]);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'firehose:PutRecordBatch',
        Resource: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/lake',
      },
    ]);
  });
});

/** An environment with one destination of each kind in two regions, as the fleet model resolves it. */
function mixedFleet() {
  const { fleet, problems } = load({
    'dev.yaml': withDestinations(
      `      - name: metrics
        eventTypes: [send]
        cloudWatch: { dimensions: [{ name: campaign, source: messageTag, defaultValue: none, expectedValues: 4 }] }
      - name: feed
        eventTypes: [bounce, complaint]
        sns: { topicName: ses-bounces }
      - name: existing
        eventTypes: [delivery]
        sns: { topicArn: "arn:aws:sns:{region}:{accountId}:deliveries" }
      - name: bus
        eventTypes: [send]
        eventBridge: {}
      - name: a-destination-with-a-name-long-enough-to-need-the-hash
        eventTypes: [send]
        firehose:
          deliveryStreamArn: "arn:aws:firehose:{region}:{accountId}:deliverystream/lake"
          createRole: true
`,
      { regions: '[eu-west-1, us-east-1]' },
    ),
  });
  expect(problems).toEqual([]);
  return fleet;
}

describe('the fleet model', () => {
  test('placeholders resolve per region; what sesform creates is named and addressed; only CloudWatch counts metrics', () => {
    const fleet = mixedFleet();
    const east = fleet.stacks.find((stack) => stack.region === 'us-east-1')!;
    const destinations = east.configurationSets[0].destinations;
    expect(destinations.map((destination) => [destination.name, destination.kind, destination.metrics])).toEqual([
      ['metrics', 'cloudWatch', 5],
      ['feed', 'sns', 0],
      ['existing', 'sns', 0],
      ['bus', 'eventBridge', 0],
      ['a-destination-with-a-name-long-enough-to-need-the-hash', 'firehose', 0],
    ]);
    expect(destinations[1].target).toEqual({ kind: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:ses-bounces' });
    expect(destinations[2].target).toEqual({ kind: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:deliveries' });
    expect(destinations[3].target).toEqual({
      kind: 'eventBridge',
      eventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
    });
    const roleName = destinations[4].resources[0].name;
    // IAM's limit is 64: the readable start, then a hash of the whole name.
    expect(roleName).toMatch(/^ses-firehose-dev-us-east-1-mail-a-destination-with-a-[0-9a-f]{10}$/);
    expect(roleName.length).toBeLessThanOrEqual(64);
    expect(destinations[4].target).toEqual({
      kind: 'firehose',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/lake',
      iamRoleArn: `arn:aws:iam::123456789012:role/${roleName}`,
    });
    expect(destinations[1].resources).toEqual([
      { kind: 'event topic', name: 'ses-bounces', address: expect.stringMatching(/^aws_sns_topic\.mail_feed_Topic_/) },
    ]);
    expect(destinations[4].resources.map((resource) => resource.kind)).toEqual([
      'firehose role',
      'firehose role policy',
    ]);
    expect(east.metrics).toBe(5);
    // IAM names are global to the account: each region's stack has a role of its own.
    const west = fleet.stacks.find((stack) => stack.region === 'eu-west-1')!;
    expect(west.configurationSets[0].destinations[4].resources[0].name).not.toBe(roleName);
    expect(
      firehoseRoleName(
        { environmentName: 'dev', accountId: ACCOUNT, region: 'eu-west-1', partition: 'aws', configurationSet: 'mail' },
        'lake',
      ),
    ).toBe('ses-firehose-dev-eu-west-1-mail-lake');
  });
});

describe('what reads the fleet', () => {
  test('the deploy role manages exactly the topics and roles it creates and passes Firehose roles to SES only; the plan role reads them', () => {
    const fleet = mixedFleet();
    const deploy = deployRolePolicy(fleet.stacks).Statement;
    const sid = (statements: typeof deploy, name: string) => statements.find((statement) => statement.Sid === name);
    expect(sid(deploy, 'ManageEventTopicsItCreates')?.Resource).toEqual([
      'arn:aws:sns:eu-west-1:123456789012:ses-bounces',
      'arn:aws:sns:us-east-1:123456789012:ses-bounces',
    ]);
    const roles = fleet.stacks.map(
      (stack) => `arn:aws:iam::123456789012:role/${stack.configurationSets[0].destinations[4].resources[0].name}`,
    );
    expect(sid(deploy, 'ManageFirehoseRolesItCreates')?.Resource).toEqual(roles);
    expect(sid(deploy, 'PassFirehoseRolesToSesOnly')).toEqual({
      Sid: 'PassFirehoseRolesToSesOnly',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: roles,
      Condition: { StringEquals: { 'iam:PassedToService': 'ses.amazonaws.com' } },
    });
    const plan = planRolePolicy(fleet.stacks).Statement;
    expect(sid(plan, 'ReadEventTopicsItCreates')?.Action).toEqual([
      'sns:GetTopicAttributes',
      'sns:ListTagsForResource',
    ]);
    expect(
      plan.flatMap((statement) => statement.Action).filter((action) => /Create|Delete|Put|Pass/.test(action)),
    ).toEqual([]);
  });

  test('the plan report says where a destination publishes, before -> after, and names the created topic', () => {
    const stack = mixedFleet().stacks[0];
    const feed = stack.configurationSets[0].destinations[1];
    const plan: PlanJson = {
      resource_changes: [
        {
          address: stack.configurationSets[0].destinations[2].address,
          type: 'aws_sesv2_configuration_set_event_destination',
          change: {
            actions: ['update'],
            before: {
              configuration_set_name: 'mail',
              event_destination_name: 'existing',
              event_destination: [
                {
                  enabled: true,
                  matching_event_types: ['DELIVERY'],
                  sns_destination: [{ topic_arn: 'arn:aws:sns:eu-west-1:123456789012:old' }],
                },
              ],
            },
            after: {
              configuration_set_name: 'mail',
              event_destination_name: 'existing',
              event_destination: [
                {
                  enabled: true,
                  matching_event_types: ['DELIVERY'],
                  sns_destination: [{ topic_arn: 'arn:aws:sns:eu-west-1:123456789012:deliveries' }],
                },
              ],
            },
          },
        },
        {
          address: feed.resources[0].address,
          type: 'aws_sns_topic',
          change: { actions: ['create'], before: null, after: { name: 'ses-bounces' } },
        },
      ],
    } as unknown as PlanJson;
    expect(changeLines(stackChanges(plan, stack))).toEqual([
      '~ destination mail/existing: update in place; sns topic "arn:aws:sns:eu-west-1:123456789012:old" -> "arn:aws:sns:eu-west-1:123456789012:deliveries"',
      '+ event topic ses-bounces: create',
    ]);
  });

  test('cost counts only CloudWatch metrics and names the other destinations as not priced', () => {
    const fleet = mixedFleet();
    const text = costText(costOf(fleet));
    expect(text).toContain(
      "no custom metrics from mail/feed (SNS), mail/existing (SNS), mail/bus (EventBridge), mail/a-destination-with-a-name-long-enough-to-need-the-hash (Kinesis Data Firehose): what those services charge for the events is not in sesform's price table",
    );
    // 1 event type x (4 campaigns + the default) per region.
    expect(costOf(fleet).stacks.map((stack) => stack.metrics)).toEqual([5, 5]);
  });

  test('senders learn where else their events go', () => {
    const set = mixedFleet().stacks[0].configurationSets[0];
    expect(renderContracts([senderContract(set)], 'api')).toContain(
      '  bounce, complaint events also go to SNS arn:aws:sns:eu-west-1:123456789012:ses-bounces (feed).',
    );
  });

  test('verify reads the records itself in local mode; on AWS it says what the team checks with its own consumer', () => {
    const stack = mixedFleet().stacks[0];
    const local = verificationPlan(stack, { local: true, probe: false, from: 'example.com' });
    expect(local.records.map((record) => `${record.destination} ${record.eventType}`)).toEqual([
      'feed BOUNCE',
      'feed COMPLAINT',
      'existing DELIVERY',
      'bus SEND',
      'a-destination-with-a-name-long-enough-to-need-the-hash SEND',
    ]);
    expect(local.sets[0].messages.map((message) => message.kind)).toEqual(['success', 'bounce', 'complaint']);
    const aws = verificationPlan(stack, { local: false, probe: false, from: 'example.com' });
    expect(aws.records).toEqual([]);
    expect(aws.notVerifiable.find((item) => item.destination === 'feed')?.reason).toBe(
      "on AWS verify reads CloudWatch only: SES publishes these records to SNS arn:aws:sns:eu-west-1:123456789012:ses-bounces; check with your own consumer (the topic's subscribers) that a record of this run's test messages arrived.",
    );
    // The messages are still sent, for the team's consumer to see.
    expect(aws.sets[0].messages.map((message) => message.kind)).toEqual(['success', 'bounce', 'complaint']);
  });
});
