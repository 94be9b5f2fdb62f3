/**
 * A configuration set managed whole, on the emulator with the real terraform and AWS provider: SNS
 * (a topic sesform creates, then an existing one), EventBridge (the default bus) and Firehose (a role
 * sesform creates) beside CloudWatch, with VDM options; created, verified by the records that arrive
 * at each target, updated in place, checked for drift; and a hand-made set with CloudWatch, SNS and
 * Firehose destinations exported and adopted whole, then planned with no change.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  PutConfigurationSetVdmOptionsCommand,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-sesv2';
import { PassThrough } from 'node:stream';
import { accountClientConfig } from '../../src/aws/account-access';
import { main } from '../../src/cli';
import { localTarget } from '../../src/local/local-target';
import type { VerifyReport } from '../../src/report/verify-report';
import { EngineFixture, stackIn } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '121212121212';
/** The account of the adoption test: a file exported from it holds every set it has. */
const CONSOLE_ACCOUNT = '131313131313';
const REGION = 'eu-west-1';
const STACK = `kinds-${REGION}`;
const arnIn = (account: string) => (service: string, resource: string) =>
  `arn:aws:${service}:${REGION}:${account}:${resource}`;
const arn = arnIn(ACCOUNT);
const STREAM = arn('firehose', 'deliverystream/ses-lake');
const EXISTING_TOPIC = arn('sns', 'ses-existing');

function environment(suppression: string): string {
  return environmentYaml(
    'kinds',
    ACCOUNT,
    `configurationSets:
  - name: mail
    vdmOptions: { engagementMetrics: true, optimizedSharedDelivery: false }
    eventDestinations:
      - name: metrics
        eventTypes: [send, delivery]
        cloudWatch:
          dimensions: [{ name: "ses:configuration-set", source: messageTag, defaultValue: mail }]
${suppression}
      - name: bus
        eventTypes: [send, bounce]
        eventBridge: {}
      - name: lake
        eventTypes: [send, delivery, bounce, complaint]
        firehose:
          deliveryStreamArn: "arn:aws:firehose:{region}:{accountId}:deliverystream/ses-lake"
          createRole: true
`,
  );
}

const CREATED_TOPIC = `      - name: suppression
        eventTypes: [bounce, complaint]
        sns: { topicName: mail-bounces }`;
const EXISTING_TOPIC_WITH_DELIVERY = `      - name: suppression
        eventTypes: [bounce, complaint, delivery]
        sns: { topicArn: "arn:aws:sns:{region}:{accountId}:ses-existing" }`;

type ClientConfig = Awaited<ReturnType<typeof accountClientConfig>>;
let fixture: EngineFixture;
let config: ClientConfig;

/** Clients of an account in the emulator, through its deploy role. */
function clientConfig(account: string): Promise<ClientConfig> {
  return accountClientConfig(
    {
      roleArn: `arn:aws:iam::${account}:role/ses-deploy`,
      region: REGION,
      local: localTarget(fixture.emulator.endpoint, 'unused'),
    },
    'destination-kinds-test',
  );
}

/** What a team has already: a topic, and a delivery stream into a bucket (with Firehose's own role). */
async function existingTargets(account: string): Promise<ClientConfig> {
  const clients = await clientConfig(account);
  await new SNSClient(clients).send(new CreateTopicCommand({ Name: 'ses-existing' }));
  await new S3Client({ ...clients, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: `lake-${account}` }));
  await new IAMClient(clients).send(
    new CreateRoleCommand({
      RoleName: 'firehose-to-s3',
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
    }),
  );
  await new FirehoseClient(clients).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'ses-lake',
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::lake-${account}`,
        RoleARN: `arn:aws:iam::${account}:role/firehose-to-s3`,
        Prefix: 'ses/',
      },
    }),
  );
  return clients;
}

beforeAll(async () => {
  fixture = await EngineFixture.start({ 'kinds.yaml': environment(CREATED_TOPIC) });
  config = await existingTargets(ACCOUNT);
}, 120_000);

afterAll(async () => {
  await fixture?.stop();
});

async function exportInto(folder: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [out, err] = [new PassThrough(), new PassThrough()];
  let [stdout, stderr] = ['', ''];
  out.on('data', (chunk) => (stdout += chunk));
  err.on('data', (chunk) => (stderr += chunk));
  const code = await main(
    [...argv, '--environments', folder, '--local', '--endpoint', fixture.emulator.endpoint],
    out,
    err,
  );
  return { code, stdout, stderr };
}

async function heldDestinations(set: string, account = ACCOUNT) {
  const ses = await fixture.ses(account, REGION);
  const { EventDestinations = [] } = await ses.send(
    new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set }),
  );
  return Object.fromEntries(EventDestinations.map((destination) => [destination.Name!, destination]));
}

test('SNS, EventBridge and Firehose destinations beside CloudWatch: created, verified, updated in place, drift', async () => {
  const created = await fixture.report(['rollout', '--env', 'kinds', '--auto-approve']);
  expect({
    code: created.exitCode,
    out: created.exitCode === 0 ? '' : created.run.stdout + created.run.stderr,
  }).toEqual({ code: 0, out: '' });
  const changes = stackIn(created, STACK).changes!;
  // The targets are on the lines a reviewer reads, with what sesform creates for them.
  const suppression = changes.destinations.find((destination) => destination.name === 'suppression')!;
  expect(suppression.changes).toEqual([{ attribute: 'sns topic', after: arn('sns', 'mail-bounces') }]);
  const lake = changes.destinations.find((destination) => destination.name === 'lake')!;
  const roleName = `ses-firehose-kinds-${REGION}-mail-lake`;
  expect(lake.changes).toEqual([
    { attribute: 'firehose stream', after: STREAM },
    { attribute: 'firehose role', after: `arn:aws:iam::${ACCOUNT}:role/${roleName}` },
  ]);
  expect((changes.monitoring ?? []).map(({ kind, name, action }) => `${action} ${kind} ${name}`).sort()).toEqual([
    `create event topic mail-bounces`,
    `create firehose role policy ${roleName}`,
    `create firehose role ${roleName}`,
  ]);
  expect(changes.destinations.find((destination) => destination.name === 'bus')!.changes).toEqual([
    { attribute: 'event bus', after: arn('events', 'event-bus/default') },
  ]);

  // What SES holds, field by field, and the role SES may assume for this set only.
  const held = await heldDestinations('mail');
  expect(held.suppression.SnsDestination?.TopicArn).toBe(arn('sns', 'mail-bounces'));
  expect(held.bus.EventBridgeDestination?.EventBusArn).toBe(arn('events', 'event-bus/default'));
  expect(held.lake.KinesisFirehoseDestination).toEqual({
    DeliveryStreamArn: STREAM,
    IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
  });
  const set = await (
    await fixture.ses(ACCOUNT, REGION)
  ).send(new GetConfigurationSetCommand({ ConfigurationSetName: 'mail' }));
  expect(set.VdmOptions).toEqual({
    DashboardOptions: { EngagementMetrics: 'ENABLED' },
    GuardianOptions: { OptimizedSharedDelivery: 'DISABLED' },
  });
  const { Role } = await new IAMClient(config).send(new GetRoleCommand({ RoleName: roleName }));
  expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'AWS:SourceAccount': ACCOUNT, 'AWS:SourceArn': arn('ses', 'configuration-set/mail') },
        },
      },
    ],
  });

  // verify sees each kind's records arrive, and leaves no queue or rule behind.
  const verified = await fixture.run(['verify', '--env', 'kinds', '--json', '--timeout', '20']);
  const report = JSON.parse(verified.stdout) as VerifyReport;
  const results = report.stacks[0].results.map(
    (result) =>
      `${result.status} ${result.destination} ${result.metricName}${result.target ? ` ${result.target}` : ''}`,
  );
  expect(results.sort()).toEqual(
    [
      `verified bus Bounce ${arn('events', 'event-bus/default')}`,
      `verified bus Send ${arn('events', 'event-bus/default')}`,
      `verified lake Bounce ${STREAM}`,
      `verified lake Complaint ${STREAM}`,
      `verified lake Delivery ${STREAM}`,
      `verified lake Send ${STREAM}`,
      'verified metrics Delivery',
      'verified metrics Send',
      `verified suppression Bounce ${arn('sns', 'mail-bounces')}`,
      `verified suppression Complaint ${arn('sns', 'mail-bounces')}`,
    ].sort(),
  );
  expect(verified.code).toBe(0);
  expect((await new SQSClient(config).send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
  expect((await new EventBridgeClient(config).send(new ListRulesCommand({}))).Rules ?? []).toEqual([]);

  // Update in place: another topic, one more event type; the created topic goes.
  fixture.write('kinds.yaml', environment(EXISTING_TOPIC_WITH_DELIVERY));
  const planned = await fixture.report(['plan', '--env', 'kinds']);
  expect(planned.exitCode).toBe(2);
  const update = stackIn(planned, STACK).changes!;
  expect(update.destinations).toEqual([
    expect.objectContaining({
      name: 'suppression',
      action: 'update',
      changes: [{ attribute: 'sns topic', before: arn('sns', 'mail-bounces'), after: EXISTING_TOPIC }],
      eventTypesAdded: ['DELIVERY'],
      eventTypesRemoved: [],
    }),
  ]);
  expect(update.monitoring?.map(({ kind, name, action }) => `${action} ${kind} ${name}`)).toEqual([
    'delete event topic mail-bounces',
  ]);
  expect(update.counts).toMatchObject({ change: 1, destroy: 1, replace: 0 });
  expect((await fixture.report(['rollout', '--env', 'kinds', '--auto-approve'])).exitCode).toBe(0);
  expect((await heldDestinations('mail')).suppression.SnsDestination?.TopicArn).toBe(EXISTING_TOPIC);
  expect((await fixture.run(['plan', '--env', 'kinds'])).code).toBe(0);

  // Drift: the stream changed outside Terraform is named, declared against what the account holds.
  await (
    await fixture.ses(ACCOUNT, REGION)
  ).send(
    new UpdateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: 'mail',
      EventDestinationName: 'lake',
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['SEND', 'DELIVERY', 'BOUNCE', 'COMPLAINT'],
        KinesisFirehoseDestination: {
          DeliveryStreamArn: arn('firehose', 'deliverystream/elsewhere'),
          IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        },
      },
    }),
  );
  const drift = await fixture.run(['drift', '--env', 'kinds']);
  expect(drift.code).toBe(2);
  expect(drift.stdout).toContain(
    `! event destination mail/lake was changed outside Terraform: firehose stream declared "${STREAM}", account "${arn('firehose', 'deliverystream/elsewhere')}"`,
  );
});

test('adopt: a hand-made set with CloudWatch, SNS and Firehose destinations is exported, imported whole, then plans with no change', async () => {
  await existingTargets(CONSOLE_ACCOUNT);
  const consoleArn = arnIn(CONSOLE_ACCOUNT);
  const topic = consoleArn('sns', 'ses-existing');
  const stream = consoleArn('firehose', 'deliverystream/ses-lake');
  const ses = await fixture.ses(CONSOLE_ACCOUNT, REGION);
  await ses.send(
    new CreateConfigurationSetCommand({ ConfigurationSetName: 'console', SendingOptions: { SendingEnabled: true } }),
  );
  await ses.send(
    new PutConfigurationSetVdmOptionsCommand({
      ConfigurationSetName: 'console',
      VdmOptions: { DashboardOptions: { EngagementMetrics: 'DISABLED' } },
    }),
  );
  const destinations = {
    metrics: {
      CloudWatchDestination: {
        DimensionConfigurations: [
          { DimensionName: 'campaign', DimensionValueSource: 'MESSAGE_TAG' as const, DefaultDimensionValue: 'none' },
        ],
      },
    },
    bounces: { SnsDestination: { TopicArn: topic } },
    lake: {
      KinesisFirehoseDestination: {
        DeliveryStreamArn: stream,
        IamRoleArn: `arn:aws:iam::${CONSOLE_ACCOUNT}:role/firehose-to-s3`,
      },
    },
  };
  for (const [name, target] of Object.entries(destinations))
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'console',
        EventDestinationName: name,
        EventDestination: { Enabled: true, MatchingEventTypes: ['SEND', 'BOUNCE'], ...target },
      }),
    );

  // Into the fixture's folder of environment files (its own --output is the synth folder, not the file).
  const exported = await exportInto(fixture.environments, [
    'export',
    '--name',
    'console',
    '--role',
    `arn:aws:iam::${CONSOLE_ACCOUNT}:role/ses-deploy`,
    '--region',
    REGION,
    '--state-bucket',
    'console-state',
  ]);
  expect({ code: exported.code, out: exported.code === 0 ? '' : exported.stdout + exported.stderr }).toEqual({
    code: 0,
    out: '',
  });
  expect(exported.stdout).toMatch(/^Exported 1 configuration set\(s\) and 3 destination\(s\)/);
  const rolled = await fixture.report(['rollout', '--env', 'console', '--auto-approve']);
  expect(rolled.exitCode).toBe(0);
  const adopted = stackIn(rolled, `console-${REGION}`).changes!;
  expect(adopted.counts).toMatchObject({ destroy: 0, replace: 0 });
  expect(adopted.destinations.filter((destination) => destination.action !== 'import')).toEqual([]);
  const afterwards = await fixture.report(['plan', '--env', 'console']);
  expect(afterwards.exitCode).toBe(0);
  const held = await heldDestinations('console', CONSOLE_ACCOUNT);
  expect(held.bounces.SnsDestination?.TopicArn).toBe(topic);
  expect(held.lake.KinesisFirehoseDestination?.DeliveryStreamArn).toBe(stream);
});
