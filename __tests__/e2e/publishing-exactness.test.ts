/**
 * The cost estimate equals what SES publishes, through real Terraform: three generated environments
 * (fixed seed, each in its own account) are rolled out on the emulator, their traffic matrix is sent
 * with the AWS SDK (every declared value of every tag, header and link tag, and each missing; every
 * from-domain; the mailbox simulator for Send, Delivery, Bounce and Complaint, opens and a click on
 * every link, a template missing a value for Rendering Failure), and CloudWatch's ListMetrics is read
 * back. The distinct series per destination equal `sesform cost`'s figure exactly, and none is one the
 * publishing rules say SES cannot publish. The unit variant covers more environments and every event type.
 */
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateEmailIdentityCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { EmailSendingEvent } from '../../modules/ses-enums';
import { accountClientConfig } from '../../src/aws/account-access';
import { costOf } from '../../src/cost/cost-model';
import { loadEnvironments } from '../../src/fleet/loader';
import { localTarget } from '../../src/local/local-target';
import { EngineFixture } from '../helpers/engine-fixture';
import {
  EnvironmentSpec,
  MatrixMessage,
  Series,
  configurationSetsYaml,
  destinationOfSeries,
  generateEnvironments,
  htmlOf,
  impossibilities,
  linkUrl,
  trafficFor,
} from '../helpers/publishing-matrix';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(600_000);

/** What the emulator can produce by sending: Reject, DeliveryDelay and Subscription need a virus, a slow server or a person. */
const PRODUCIBLE = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.RENDERING_FAILURE,
];
const ENVIRONMENTS = generateEnvironments({
  seed: 7,
  count: 3,
  eventTypes: PRODUCIBLE,
  maxValues: 2,
  // The emulator's ses:caller-identity is the role the SDK client assumed: one caller.
  callers: () => ['deploy-role'],
  firstAccount: 740000000220,
});
const RECIPIENTS = [
  'success@simulator.amazonses.com',
  'bounce@simulator.amazonses.com',
  'complaint@simulator.amazonses.com',
];

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await EngineFixture.start(
    Object.fromEntries(
      ENVIRONMENTS.map((environment) => [
        `${environment.name}.yaml`,
        environmentYaml(environment.name, environment.accountId, configurationSetsYaml(environment)),
      ]),
    ),
  );
  const rollout = await fixture.run(['rollout', '--all', '--auto-approve']);
  expect(rollout.code).toBe(0);
});

afterAll(async () => {
  await fixture?.stop();
});

async function clientsOf(environment: EnvironmentSpec) {
  const config = await accountClientConfig(
    {
      roleArn: `arn:aws:iam::${environment.accountId}:role/ses-deploy`,
      region: 'eu-west-1',
      local: localTarget(fixture.emulator.endpoint, 'unused'),
    },
    'exactness-test',
  );
  return { ses: new SESv2Client(config), cloudWatch: new CloudWatchClient(config) };
}

async function engage(MessageId: string, Event: 'OPEN' | 'CLICK', LinkUrl?: string) {
  const response = await fetch(`${fixture.emulator.endpoint}/_sesform/engagement`, {
    method: 'POST',
    body: JSON.stringify({ MessageId, Event, LinkUrl }),
  });
  expect(response.status).toBe(200);
}

/** One message of the matrix: sent to the simulator, opened, each link clicked; and once more as a template that fails. */
async function send(ses: SESv2Client, set: string, message: MatrixMessage) {
  const tags = Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value }));
  const headers = Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value }));
  const common = {
    FromEmailAddress: message.from,
    Destination: { ToAddresses: RECIPIENTS },
    ConfigurationSetName: set,
    ...(tags.length > 0 ? { EmailTags: tags } : {}),
  };
  const { MessageId } = await ses.send(
    new SendEmailCommand({
      ...common,
      Content: {
        Simple: { Subject: { Data: 'matrix' }, Body: { Html: { Data: htmlOf(message) } }, Headers: headers },
      },
    }),
  );
  await engage(MessageId!, 'OPEN');
  for (let index = 0; index < message.links.length; index++) await engage(MessageId!, 'CLICK', linkUrl(index));
  await ses.send(
    new SendEmailCommand({
      ...common,
      Content: {
        Template: {
          TemplateContent: { Subject: 'matrix', Html: 'Hello {{missing}}' },
          TemplateData: '{}',
          Headers: headers,
        },
      },
    }),
  );
}

/** Every series in the account's AWS/SES namespace, through ListMetrics' pages. */
async function listedSeries(cloudWatch: CloudWatchClient): Promise<Series[]> {
  const found: Series[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(new ListMetricsCommand({ Namespace: 'AWS/SES', NextToken }));
    for (const metric of page.Metrics ?? [])
      found.push({
        metricName: metric.MetricName!,
        dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name!, d.Value!])),
      });
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

test('every destination of three rolled-out environments: the series CloudWatch lists = the estimate', async () => {
  const { fleet, problems } = loadEnvironments(fixture.environments);
  expect(problems).toEqual([]);
  const estimate = Object.fromEntries(
    costOf(fleet).stacks.flatMap((stack) =>
      stack.destinations.map((d) => [`${stack.environment}/${d.configurationSet}/${d.destination}`, d.metrics]),
    ),
  );
  const observed: Record<string, number> = Object.fromEntries(Object.keys(estimate).map((key) => [key, 0]));
  const wrong: string[] = [];
  for (const environment of ENVIRONMENTS) {
    const { ses, cloudWatch } = await clientsOf(environment);
    try {
      for (const domain of environment.domains)
        await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
      for (const set of environment.sets)
        for (const message of trafficFor(environment, set)) await send(ses, set.name, message);
      // Reputation rates are SES's own per-set metrics (reputationMetrics), not event publishing.
      const published = (await listedSeries(cloudWatch)).filter(
        (series) => !series.metricName.startsWith('Reputation.'),
      );
      const keys = published.map((series) =>
        JSON.stringify([series.metricName, Object.entries(series.dimensions).sort()]),
      );
      expect(new Set(keys).size).toBe(keys.length); // CloudWatch lists each series once
      for (const series of published) {
        const owner = destinationOfSeries(environment, series);
        if (owner === undefined) {
          wrong.push(
            `${environment.name}: ${series.metricName} ${JSON.stringify(series.dimensions)} belongs to no destination`,
          );
          continue;
        }
        const key = `${environment.name}/${owner.set.name}/${owner.destination.name}`;
        observed[key] += 1;
        wrong.push(...impossibilities(environment, series).map((why) => `${key}: ${why}`));
      }
    } finally {
      ses.destroy();
      cloudWatch.destroy();
    }
  }
  expect(wrong).toEqual([]);
  expect(observed).toEqual(estimate);
  // The matrix reached something in every environment, disabled destinations excepted.
  expect(Object.values(observed).filter((count) => count > 0).length).toBeGreaterThan(3);
  expect(Object.values(observed).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(50);
});
