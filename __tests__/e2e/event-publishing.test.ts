/**
 * The emulator publishes SES events to CloudWatch as SES does: rolled out with real Terraform, then
 * mail sent with the AWS SDK (tags, headers, a non-ASCII header, raw mail, each mailbox simulator
 * address, a template missing a value, an open and a click), and CloudWatch read back. Each expected
 * series exists with the expected dimension values, and none exists where SES would emit none. The
 * expectations are written out here from the SES guide's rules, not computed by the emulator's code.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, Metric } from '@aws-sdk/client-cloudwatch';
import {
  CreateEmailIdentityCommand,
  SendBulkEmailCommand,
  SendEmailCommand,
  SendEmailCommandInput,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { accountClientConfig } from '../../src/aws/account-access';
import { localTarget } from '../../src/local/local-target';
import { EngineFixture } from '../helpers/engine-fixture';
import { environmentYaml } from '../helpers/synth';

jest.setTimeout(300_000);

const ACCOUNT = '740000000001';
const FROM = 'news@example.org';
const cloudWatchDimensions = (dimensions: string) => `cloudWatch:\n          dimensions: ${dimensions}`;
const ENVIRONMENT = environmentYaml(
  'publishing',
  ACCOUNT,
  `configurationSets:
  - name: news
    eventDestinations:
      - name: by-campaign
        eventTypes: [send, delivery, bounce, complaint, open, click, renderingFailure]
        ${cloudWatchDimensions('[{ name: campaign, source: messageTag, defaultValue: none }, { name: ses:from-domain, source: messageTag, defaultValue: unknown }]')}
      - name: by-team
        eventTypes: [send]
        ${cloudWatchDimensions('[{ name: X-Team, source: emailHeader, defaultValue: no-team }]')}
      - name: by-link
        eventTypes: [open, click]
        ${cloudWatchDimensions('[{ name: link, source: linkTag, defaultValue: no-link }]')}
      - name: switched-off
        enabled: false
        eventTypes: [send, delivery]
        ${cloudWatchDimensions('[{ name: campaign, source: messageTag, defaultValue: none }]')}
  - name: paused
    sendingEnabled: false
`,
);

let fixture: EngineFixture;
let ses: SESv2Client;
let cloudWatch: CloudWatchClient;

beforeAll(async () => {
  fixture = await EngineFixture.start({ 'publishing.yaml': ENVIRONMENT });
  expect((await fixture.run(['rollout', '--all', '--auto-approve'])).code).toBe(0);
  const config = await accountClientConfig(
    {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ses-deploy`,
      region: 'eu-west-1',
      local: localTarget(fixture.emulator.endpoint, 'unused'),
    },
    'publishing-test',
  );
  ses = new SESv2Client(config);
  cloudWatch = new CloudWatchClient(config);
  await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.org' }));
});

afterAll(async () => {
  ses?.destroy();
  cloudWatch?.destroy();
  await fixture?.stop();
});

type Dimensions = Record<string, string>;

/** The series of `metric` with exactly these dimensions, as CloudWatch lists them. */
async function seriesOf(metricName: string, dimensions: Dimensions): Promise<Metric[]> {
  const { Metrics = [] } = await cloudWatch.send(
    new ListMetricsCommand({
      Namespace: 'AWS/SES',
      MetricName: metricName,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  return Metrics.filter((metric) => (metric.Dimensions ?? []).length === Object.keys(dimensions).length);
}

/** The data points' sum of one series over the last hour (0 when it does not exist). */
async function sumOf(metricName: string, dimensions: Dimensions): Promise<number> {
  const [metric] = await seriesOf(metricName, dimensions);
  if (metric === undefined) return 0;
  const { MetricDataResults = [] } = await cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: metric, Period: 3600, Stat: 'Sum' } }],
    }),
  );
  return (MetricDataResults[0]?.Values ?? []).reduce((total, value) => total + value, 0);
}

const byCampaign = (campaign: string): Dimensions => ({ campaign, 'ses:from-domain': 'example.org' });

function simple(to: string, campaign: string, extra: Partial<SendEmailCommandInput> = {}, headers = {}) {
  return new SendEmailCommand({
    FromEmailAddress: FROM,
    Destination: { ToAddresses: [to] },
    ConfigurationSetName: 'news',
    EmailTags: [{ Name: 'campaign', Value: campaign }],
    Content: {
      Simple: {
        Subject: { Data: 'news' },
        Body: {
          Html: { Data: '<a href="https://example.org/offer" ses:tags="link:offer;campaign:ignored">offer</a>' },
        },
        Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value: Value as string })),
      },
    },
    ...extra,
  });
}

async function engage(MessageId: string, Event: 'OPEN' | 'CLICK') {
  const response = await fetch(`${fixture.emulator.endpoint}/_sesform/engagement`, {
    method: 'POST',
    body: JSON.stringify({ MessageId, Event }),
  });
  expect(response.status).toBe(200);
}

test('a delivered message: Send and Delivery on the tag and auto-tag values, the header dimension, and nothing from a disabled destination', async () => {
  await ses.send(simple('success@simulator.amazonses.com', 'spring', {}, { 'X-Team': 'growth' }));
  expect(await sumOf('Send', byCampaign('spring'))).toBe(1);
  expect(await sumOf('Delivery', byCampaign('spring'))).toBe(1);
  expect(await sumOf('Send', { 'X-Team': 'growth' })).toBe(1);
  expect(await seriesOf('Bounce', byCampaign('spring'))).toEqual([]);
  // switched-off has the single dimension campaign: no such series may exist.
  expect(await seriesOf('Send', { campaign: 'spring' })).toEqual([]);
});

test('without the tag and the header, the defaults', async () => {
  await ses.send(
    new SendEmailCommand({
      FromEmailAddress: FROM,
      Destination: { ToAddresses: ['success@simulator.amazonses.com'] },
      ConfigurationSetName: 'news',
      Content: { Simple: { Subject: { Data: 'n' }, Body: { Text: { Data: 'plain' } } } },
    }),
  );
  expect(await sumOf('Send', byCampaign('none'))).toBe(1);
  expect(await sumOf('Send', { 'X-Team': 'no-team' })).toBe(1);
});

test('a non-ASCII header value: the mail is sent, its destination publishes nothing, the others do', async () => {
  const { MessageId } = await ses.send(simple('success@simulator.amazonses.com', 'umlaut', {}, { 'X-Team': 'zürich' }));
  expect(MessageId).toEqual(expect.any(String));
  expect(await sumOf('Send', byCampaign('umlaut'))).toBe(1);
  const teams = await cloudWatch.send(
    new ListMetricsCommand({ Namespace: 'AWS/SES', MetricName: 'Send', Dimensions: [{ Name: 'X-Team' }] }),
  );
  expect((teams.Metrics ?? []).map((metric) => metric.Dimensions![0].Value).sort()).toEqual(['growth', 'no-team']);
});

test.each([
  ['bounce@simulator.amazonses.com', 'sim-bounce', ['Send', 'Bounce'], ['Delivery', 'Complaint']],
  ['complaint@simulator.amazonses.com', 'sim-complaint', ['Send', 'Delivery', 'Complaint'], ['Bounce']],
  ['ooto@simulator.amazonses.com', 'sim-ooto', ['Send', 'Delivery'], ['Bounce', 'Complaint']],
  ['suppressionlist@simulator.amazonses.com', 'sim-suppressed', ['Send', 'Bounce'], ['Delivery']],
  ['success+label@simulator.amazonses.com', 'sim-labelled', ['Send', 'Delivery'], ['Bounce']],
  ['someone@example.net', 'anyone', ['Send', 'Delivery'], ['Bounce']],
])('the mailbox simulator: %s publishes %s', async (to, campaign, present, absent) => {
  await ses.send(simple(to, campaign));
  for (const metric of present) expect([metric, await sumOf(metric, byCampaign(campaign))]).toEqual([metric, 1]);
  for (const metric of absent) expect([metric, await seriesOf(metric, byCampaign(campaign))]).toEqual([metric, []]);
});

test('raw mail: tags from X-SES-MESSAGE-TAGS, unless the API gives tags, which win without merging', async () => {
  const raw = (tags: string) =>
    Buffer.from(
      [
        `From: ${FROM}`,
        'To: success@simulator.amazonses.com',
        'X-SES-CONFIGURATION-SET: news',
        `X-SES-MESSAGE-TAGS: ${tags}`,
        'X-Team: raw-team',
        'Subject: raw',
        '',
        'raw body',
      ].join('\r\n'),
    );
  await ses.send(new SendEmailCommand({ Content: { Raw: { Data: raw('campaign=from-header') } } }));
  expect(await sumOf('Send', byCampaign('from-header'))).toBe(1);
  expect(await sumOf('Send', { 'X-Team': 'raw-team' })).toBe(1);
  await ses.send(
    new SendEmailCommand({
      Content: { Raw: { Data: raw('campaign=header-loses') } },
      EmailTags: [{ Name: 'campaign', Value: 'api-wins' }],
    }),
  );
  expect(await sumOf('Send', byCampaign('api-wins'))).toBe(1);
  expect(await seriesOf('Send', byCampaign('header-loses'))).toEqual([]);
});

test('a template missing a value: Rendering Failure, and the message is not sent', async () => {
  await ses.send(
    new SendEmailCommand({
      FromEmailAddress: FROM,
      Destination: { ToAddresses: ['success@simulator.amazonses.com'] },
      ConfigurationSetName: 'news',
      EmailTags: [{ Name: 'campaign', Value: 'template' }],
      Content: {
        Template: { TemplateContent: { Subject: 'Hi {{name}}', Html: '<p>{{name}}</p>' }, TemplateData: '{}' },
      },
    }),
  );
  expect(await sumOf('Rendering Failure', byCampaign('template'))).toBe(1);
  expect(await seriesOf('Send', byCampaign('template'))).toEqual([]);
  expect(await seriesOf('Delivery', byCampaign('template'))).toEqual([]);
});

test("an open and a click: the link's ses:tags reach the click only; message tags stay the message's", async () => {
  const { MessageId } = await ses.send(simple('success@simulator.amazonses.com', 'engaged'));
  await engage(MessageId!, 'OPEN');
  await engage(MessageId!, 'CLICK');
  expect(await sumOf('Open', byCampaign('engaged'))).toBe(1);
  expect(await sumOf('Click', byCampaign('engaged'))).toBe(1);
  expect(await sumOf('Click', { link: 'offer' })).toBe(1);
  expect(await sumOf('Open', { link: 'no-link' })).toBe(1);
  expect(await seriesOf('Click', { link: 'no-link' })).toEqual([]);
});

test('SendBulkEmail: one message per entry, each with its own tags and template data', async () => {
  const { BulkEmailEntryResults = [] } = await ses.send(
    new SendBulkEmailCommand({
      FromEmailAddress: FROM,
      ConfigurationSetName: 'news',
      DefaultEmailTags: [{ Name: 'campaign', Value: 'bulk-default' }],
      DefaultContent: {
        Template: {
          TemplateContent: { Subject: 'Hi {{name}}', Html: '<p>{{name}}</p>' },
          TemplateData: '{"name": "all"}',
        },
      },
      BulkEmailEntries: [
        { Destination: { ToAddresses: ['success@simulator.amazonses.com'] } },
        {
          Destination: { ToAddresses: ['bounce@simulator.amazonses.com'] },
          ReplacementTags: [{ Name: 'campaign', Value: 'bulk-own' }],
        },
        {
          Destination: { ToAddresses: ['success@simulator.amazonses.com'] },
          ReplacementTags: [{ Name: 'campaign', Value: 'bulk-broken' }],
          ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: '{}' } },
        },
      ],
    }),
  );
  expect(BulkEmailEntryResults.map((result) => result.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  expect(await sumOf('Delivery', byCampaign('bulk-default'))).toBe(1);
  expect(await sumOf('Bounce', byCampaign('bulk-own'))).toBe(1);
  expect(await sumOf('Rendering Failure', byCampaign('bulk-broken'))).toBe(1);
  expect(await seriesOf('Send', byCampaign('bulk-broken'))).toEqual([]);
});

test("a set that does not send refuses the mail with SES's error; an unverified or missing sender is refused", async () => {
  await expect(
    ses.send(simple('success@simulator.amazonses.com', 'paused', { ConfigurationSetName: 'paused' })),
  ).rejects.toMatchObject({ name: 'SendingPausedException' });
  await expect(
    ses.send(simple('success@simulator.amazonses.com', 'stranger', { FromEmailAddress: 'someone@unverified.example' })),
  ).rejects.toMatchObject({ name: 'MessageRejected' });
  expect(await seriesOf('Send', byCampaign('stranger'))).toEqual([]);
  const withoutFrom = Buffer.from('To: success@simulator.amazonses.com\r\nSubject: x\r\n\r\nbody');
  await expect(ses.send(new SendEmailCommand({ Content: { Raw: { Data: withoutFrom } } }))).rejects.toMatchObject({
    name: 'BadRequestException',
  });
});
