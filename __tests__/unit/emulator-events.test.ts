/**
 * The emulator's SES event model (src/emulator/ses_events.py), called directly through Python:
 * recipient -> events, tag/header/link -> dimension values, the ASCII rule, defaults, and which
 * destinations receive an event. Expected values are written out from the SES guide's rules.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../helpers/synth';

const EMULATOR_DIR = path.join(PROJECT_ROOT, 'src', 'emulator');

/** Runs Python `expression` (with ses_events imported as `ev`) and returns its JSON value. */
function python(setup: string, expression: string): unknown {
  const script = `import json, ses_events as ev\n${setup}\nprint(json.dumps(${expression}))`;
  const result = spawnSync(process.env.SESFORM_PYTHON ?? 'python3', ['-c', script], {
    cwd: EMULATOR_DIR,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const MESSAGE = `
m = ev.SentMessage("111111111111", "eu-west-1", "news", "Sender <news@mail.example.org>",
    ["success@simulator.amazonses.com"], {"campaign": "spring"},
    [("X-Team", "growth"), ("X-City", "z\\u00fcrich")],
    '<a href="https://a.example/1" ses:tags="link:first; kind:promo">1</a><a href="https://a.example/2">2</a>',
    "ses-deploy")
def dest(name, dims, events=("SEND",), enabled=True):
    return {"Name": name, "Enabled": enabled, "MatchingEventTypes": list(events),
            "CloudWatchDestination": {"DimensionConfigurations": [
                {"DimensionName": n, "DimensionValueSource": s, "DefaultDimensionValue": d} for n, s, d in dims]}}
`;

describe('recipients and their events', () => {
  test.each([
    ['success@simulator.amazonses.com', ['DELIVERY']],
    ['bounce@simulator.amazonses.com', ['BOUNCE']],
    ['complaint@simulator.amazonses.com', ['DELIVERY', 'COMPLAINT']],
    ['ooto@simulator.amazonses.com', ['DELIVERY']],
    ['suppressionlist@simulator.amazonses.com', ['BOUNCE']],
    ['Bounce+run-7@SIMULATOR.amazonses.com', ['BOUNCE']],
    ['Someone <bounce@example.com>', ['DELIVERY']],
  ])('%s: Send, then %j', (recipient, after) => {
    expect(python('', `ev.recipient_outcomes(${JSON.stringify(recipient)})`)).toEqual(after);
  });

  test('one Send per message, then each recipient; a rendering failure is the only event', () => {
    expect(
      python(
        MESSAGE + 'm.recipients = ["bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"]',
        '[ev.message_events(m), ev.message_events(m, rendering_failed=True)]',
      ),
    ).toEqual([['SEND', 'BOUNCE', 'DELIVERY', 'COMPLAINT'], ['RENDERING_FAILURE']]);
  });
});

describe('dimension values', () => {
  const value = (dimension: string, event = 'SEND', link = 'None') =>
    python(MESSAGE, `ev.dimension_value(${dimension}, m, ${JSON.stringify(event)}, ${link})`);
  const dim = (name: string, source: string, fallback = 'dflt') =>
    `{"DimensionName": ${JSON.stringify(name)}, "DimensionValueSource": "${source}", "DefaultDimensionValue": "${fallback}"}`;

  test('a message tag, else the default', () => {
    expect(value(dim('campaign', 'MESSAGE_TAG'))).toBe('spring');
    expect(value(dim('genre', 'MESSAGE_TAG'))).toBe('dflt');
  });

  test("auto-tags carry SES's values, whatever the default", () => {
    expect(value(dim('ses:configuration-set', 'MESSAGE_TAG'))).toBe('news');
    expect(value(dim('ses:from-domain', 'MESSAGE_TAG'))).toBe('mail.example.org');
    expect(value(dim('ses:caller-identity', 'MESSAGE_TAG'))).toBe('ses-deploy');
    expect(value(dim('ses:source-ip', 'MESSAGE_TAG'))).toBe('127.0.0.1');
  });

  test('a header by its name in any case, else the default', () => {
    expect(value(dim('x-team', 'EMAIL_HEADER'))).toBe('growth');
    expect(value(dim('X-Missing', 'EMAIL_HEADER'))).toBe('dflt');
  });

  test('a link tag from the clicked link, on clicks only; a link without it, the default', () => {
    expect(value(dim('link', 'LINK_TAG'), 'CLICK', 'm.links[0]')).toBe('first');
    expect(value(dim('kind', 'LINK_TAG'), 'CLICK', 'm.links[0]')).toBe('promo');
    expect(value(dim('link', 'LINK_TAG'), 'CLICK', 'm.links[1]')).toBe('dflt');
    expect(value(dim('link', 'LINK_TAG'), 'OPEN', 'None')).toBe('dflt');
  });

  test('X-SES-MESSAGE-TAGS syntax, and tag values outside SES alphabet refused', () => {
    expect(python('', 'ev.parse_tags_header(" campaign=a-1 ,genre = b_2,broken")')).toEqual({
      campaign: 'a-1',
      genre: 'b_2',
    });
    expect(() => python('', 'ev.check_tags({"campaign": "spring sale"})')).toThrow(
      /Invalid message tag campaign=spring sale/,
    );
  });
});

describe('which destinations receive an event', () => {
  const points = (destinations: string, event = 'SEND') =>
    python(MESSAGE, `[(p["MetricName"], p["Dimensions"]) for p in ev.data_points([${destinations}], m, "${event}")]`);

  test('each enabled CloudWatch destination subscribed to the event, with exactly its dimensions', () => {
    expect(
      points(
        'dest("a", [("campaign", "MESSAGE_TAG", "none")]), dest("b", [("X-Team", "EMAIL_HEADER", "none")], events=("DELIVERY",)), dest("c", [("campaign", "MESSAGE_TAG", "none")], enabled=False)',
      ),
    ).toEqual([['Send', [{ Name: 'campaign', Value: 'spring' }]]]);
    expect(
      points('dest("r", [("campaign", "MESSAGE_TAG", "none")], events=("RENDERING_FAILURE",))', 'RENDERING_FAILURE'),
    ).toEqual([['Rendering Failure', [{ Name: 'campaign', Value: 'spring' }]]]);
  });

  test('a header dimension whose value is not ASCII silences that destination only', () => {
    expect(
      points('dest("city", [("X-City", "EMAIL_HEADER", "none")]), dest("team", [("X-Team", "EMAIL_HEADER", "none")])'),
    ).toEqual([['Send', [{ Name: 'X-Team', Value: 'growth' }]]]);
  });

  test('the metric names SES uses', () => {
    expect(python('', 'ev.METRIC_NAMES')).toEqual({
      SEND: 'Send',
      DELIVERY: 'Delivery',
      BOUNCE: 'Bounce',
      COMPLAINT: 'Complaint',
      REJECT: 'Reject',
      OPEN: 'Open',
      CLICK: 'Click',
      RENDERING_FAILURE: 'Rendering Failure',
      DELIVERY_DELAY: 'DeliveryDelay',
      SUBSCRIPTION: 'Subscription',
    });
  });
});

test('templates: {{name}} and {{a.b}} from the data; a missing value fails', () => {
  expect(python('', 'ev.render("Hi {{ name }} of {{team.city}}", {"name": "Ada", "team": {"city": "Bern"}})')).toBe(
    'Hi Ada of Bern',
  );
  expect(() => python('', 'ev.render("Hi {{name}}", {})')).toThrow(/MissingTemplateValue: name/);
});

describe('event records to SNS, EventBridge and Firehose (ses_event_records.py)', () => {
  /** Runs Python with moto's in-process backends: a topic with a queue, a rule to a queue, a stream to a bucket. */
  function delivered(destinations: string, events: string): unknown {
    const script = `import json, ses_events as ev, ses_event_records as rec
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.events.models import events_backends
from moto.firehose.models import firehose_backends
from moto.s3.models import s3_backends
A, R = "111111111111", "eu-west-1"
${MESSAGE}
sqs = sqs_backends[A][R]
topic = sns_backends[A][R].create_topic("bounces")
sns_backends[A][R].subscribe(topic.arn, sqs.create_queue("from-topic").queue_arn, "sqs")
sqs.create_queue("from-bus")
bus = events_backends[A][R]
bus.put_rule("ses", event_pattern=json.dumps({"source": ["aws.ses"]}), event_bus_arn="default")
bus.put_targets("ses", "default", [{"Id": "q", "Arn": f"arn:aws:sqs:{R}:{A}:from-bus"}])
s3_backends[A]["aws"].create_bucket("lake", R)
firehose_backends[A][R].create_delivery_stream(R, "lake", None, None, None, None,
    {"BucketARN": "arn:aws:s3:::lake", "RoleARN": f"arn:aws:iam::{A}:role/r"}, None, None, None, None, None, [])
TOPIC, BUS, STREAM = topic.arn, f"arn:aws:events:{R}:{A}:event-bus/default", f"arn:aws:firehose:{R}:{A}:deliverystream/lake"
def target(name, kind, types, enabled=True):
    block = {"sns": {"SnsDestination": {"TopicArn": TOPIC}}, "bus": {"EventBridgeDestination": {"EventBusArn": BUS}},
             "lake": {"KinesisFirehoseDestination": {"DeliveryStreamArn": STREAM, "IamRoleArn": "r"}}}[kind]
    return {"Name": name, "Enabled": enabled, "MatchingEventTypes": list(types), **block}
made = rec.deliver([${destinations}], m, ${events})
def drain(queue):
    return [json.loads(message.body) for message in sqs.receive_message(queue, 10, 0, 0)]
from_topic = [json.loads(body["Message"]) for body in drain("from-topic")]
from_bus = drain("from-bus")
bucket = s3_backends[A]["aws"].buckets["lake"]
lines = [json.loads(line) for key in bucket.keys for line in bucket.keys[key].value.decode().splitlines()]
print(json.dumps({"made": made, "topic": from_topic, "bus": from_bus, "lake": lines}))`;
    const result = spawnSync(process.env.SESFORM_PYTHON ?? 'python3', ['-c', script], {
      cwd: EMULATOR_DIR,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  }

  test('each enabled destination gets one record per matching event, in the shape SES documents', () => {
    const found = delivered(
      'target("feed", "sns", ["BOUNCE"]), target("bus", "bus", ["SEND"]), target("lake", "lake", ["SEND", "DELIVERY"]), target("off", "sns", ["SEND"], False)',
      '["SEND", "DELIVERY"]',
    ) as {
      made: [string, string][];
      topic: unknown[];
      bus: { source: string; 'detail-type': string; resources: string[]; detail: Record<string, unknown> }[];
      lake: { eventType: string; mail: Record<string, unknown>; delivery?: Record<string, unknown> }[];
    };
    expect(found.made).toEqual([
      ['bus', 'EventBridgeDestination'],
      ['lake', 'KinesisFirehoseDestination'],
      ['lake', 'KinesisFirehoseDestination'],
    ]);
    // The bounce-only topic hears nothing of a delivered message; the disabled destination nothing at all.
    expect(found.topic).toEqual([]);
    expect(found.bus).toHaveLength(1);
    expect(found.bus[0]).toMatchObject({
      source: 'aws.ses',
      'detail-type': 'Email Sent',
      resources: ['arn:aws:ses:eu-west-1:111111111111:configuration-set/news'],
      detail: { eventType: 'Send', send: {} },
    });
    expect(found.lake.map((record) => record.eventType)).toEqual(['Send', 'Delivery']);
    expect(found.lake[1].mail).toMatchObject({
      source: 'Sender <news@mail.example.org>',
      sendingAccountId: '111111111111',
      destination: ['success@simulator.amazonses.com'],
      tags: { campaign: ['spring'], 'ses:configuration-set': ['news'], 'ses:from-domain': ['mail.example.org'] },
    });
    expect(found.lake[1].delivery).toMatchObject({ recipients: ['success@simulator.amazonses.com'] });
  });

  test('a bounce record names the bounced recipient, permanent, as the simulator scripts it', () => {
    const found = delivered('target("feed", "sns", ["BOUNCE"])', '["BOUNCE"]') as {
      topic: { eventType: string; bounce: Record<string, unknown> }[];
    };
    expect(found.topic).toHaveLength(1);
    expect(found.topic[0].eventType).toBe('Bounce');
    // The message's one recipient is the success address: a bounce is about recipients whose outcome it is.
    expect(found.topic[0].bounce).toMatchObject({ bounceType: 'Permanent', bouncedRecipients: [] });
  });
});
