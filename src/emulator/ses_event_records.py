"""
SES event publishing to SNS, EventBridge and Kinesis Data Firehose, as the emulator performs it: the
event record SES writes for each event, and its delivery to each enabled destination of those kinds
that matches the event type.

Sources, Amazon SES Developer Guide:
- "Contents of event data that Amazon SES publishes to Amazon SNS"
  (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html) and the same
  record for Firehose ("...-firehose-contents.html"): a JSON object with `eventType` (Send, Delivery,
  Bounce, Complaint, Reject, Open, Click, Rendering Failure, DeliveryDelay, Subscription), `mail`
  (timestamp, source, sendingAccountId, messageId, destination, headers, commonHeaders, tags: each tag a
  list of values, the auto-tags included) and one object named after the event (`bounce`, `delivery`, ...).
  Firehose receives one record per event, each a JSON line.
- "Monitor email sending using Amazon EventBridge" (https://docs.aws.amazon.com/ses/latest/dg/monitoring-eventbridge.html):
  the default bus of the account and region, `source` "aws.ses", `detail-type` such as "Email Bounced",
  the same record as `detail`, the configuration set's ARN in `resources`.
Pinpoint destinations receive nothing here: moto keeps no Pinpoint event stream to read them from.
"""
import json
from datetime import datetime, timezone
from email.utils import parseaddr

from moto.events.models import events_backends
from moto.firehose.models import firehose_backends
from moto.sns.models import sns_backends

from ses_events import METRIC_NAMES, recipient_outcomes

# The eventType of a record: the metric name, but SES writes "Rendering Failure" with a space in both.
EVENT_TYPE_WORDS = dict(METRIC_NAMES)
DETAIL_TYPES = {
    "SEND": "Email Sent",
    "DELIVERY": "Email Delivered",
    "BOUNCE": "Email Bounced",
    "COMPLAINT": "Email Complaint Received",
    "REJECT": "Email Rejected",
    "OPEN": "Email Opened",
    "CLICK": "Email Clicked",
    "RENDERING_FAILURE": "Email Rendering Failed",
    "DELIVERY_DELAY": "Email Delivery Delayed",
    "SUBSCRIPTION": "Email Subscription",
}
# The per-type object's key in the record.
EVENT_KEYS = {
    "SEND": "send",
    "DELIVERY": "delivery",
    "BOUNCE": "bounce",
    "COMPLAINT": "complaint",
    "REJECT": "reject",
    "OPEN": "open",
    "CLICK": "click",
    "RENDERING_FAILURE": "failure",
    "DELIVERY_DELAY": "deliveryDelay",
    "SUBSCRIPTION": "subscription",
}
TARGET_KINDS = ("SnsDestination", "EventBridgeDestination", "KinesisFirehoseDestination")


def now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def recipients_of(message, event):
    """The recipients an event is about: all for Send, else those whose scripted outcome it is."""
    if event in ("SEND", "REJECT", "RENDERING_FAILURE", "OPEN", "CLICK"):
        return list(message.recipients)
    return [address for address in message.recipients if event in recipient_outcomes(address)]


def mail_object(message):
    tags = {name: [value] for name, value in message.tags.items()}
    for auto in ("ses:configuration-set", "ses:from-domain", "ses:caller-identity", "ses:source-ip", "ses:outgoing-ip"):
        tags[auto] = [message.auto_tag(auto)]
    return {
        "timestamp": message.sent_at,
        "source": message.from_address,
        "sendingAccountId": message.account,
        "messageId": message.message_id,
        "destination": list(message.recipients),
        "headersTruncated": False,
        "headers": [{"name": name, "value": value} for name, value in message.headers.values()],
        "commonHeaders": {"from": [message.from_address], "to": list(message.recipients)},
        "tags": tags,
    }


def event_object(message, event, link):
    recipients = recipients_of(message, event)
    stamp = now()
    addresses = [parseaddr(address)[1] for address in recipients]
    if event == "SEND":
        return {}
    if event == "DELIVERY":
        return {"timestamp": stamp, "processingTimeMillis": 0, "recipients": addresses,
                "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "emulator.sesform.local"}
    if event == "BOUNCE":
        return {"bounceType": "Permanent", "bounceSubType": "General", "timestamp": stamp,
                "feedbackId": f"{message.message_id}-bounce", "reportingMTA": "dns; emulator.sesform.local",
                "bouncedRecipients": [{"emailAddress": address, "action": "failed", "status": "5.1.1",
                                       "diagnosticCode": "smtp; 550 5.1.1 user unknown"} for address in addresses]}
    if event == "COMPLAINT":
        return {"timestamp": stamp, "feedbackId": f"{message.message_id}-complaint",
                "complaintFeedbackType": "abuse",
                "complainedRecipients": [{"emailAddress": address} for address in addresses]}
    if event == "REJECT":
        return {"reason": "Bad content"}
    if event == "OPEN":
        return {"timestamp": stamp, "ipAddress": "192.0.2.2", "userAgent": "sesform-emulator"}
    if event == "CLICK":
        return {"timestamp": stamp, "ipAddress": "192.0.2.2", "userAgent": "sesform-emulator",
                "link": (link or {}).get("url", ""),
                "linkTags": {name: [value] for name, value in ((link or {}).get("tags") or {}).items()}}
    if event == "RENDERING_FAILURE":
        return {"templateName": "", "errorMessage": "Attribute is not present in the rendering data."}
    if event == "DELIVERY_DELAY":
        return {"timestamp": stamp, "delayType": "TransientCommunicationFailure",
                "delayedRecipients": [{"emailAddress": address} for address in addresses]}
    return {"timestamp": stamp}


def event_record(message, event, link=None):
    """The record SES publishes for one event of a message."""
    return {
        "eventType": EVENT_TYPE_WORDS[event],
        "mail": mail_object(message),
        EVENT_KEYS[event]: event_object(message, event, link),
    }


def configuration_set_arn(message):
    return f"arn:aws:ses:{message.region}:{message.account}:configuration-set/{message.configuration_set}"


def deliver(destinations, message, events, link=None):
    """Each event's record to every enabled SNS, EventBridge and Firehose destination that matches it.

    A target that does not exist (a topic deleted, a stream never created) receives nothing, as in SES,
    which drops what it cannot publish; the send itself is never refused for it.
    Returns the deliveries made, as (destination name, kind) pairs.
    """
    delivered = []
    for destination in destinations:
        if not destination.get("Enabled"):
            continue
        kind = next((name for name in TARGET_KINDS if name in destination), None)
        if kind is None:
            continue
        for event in events:
            if event not in destination.get("MatchingEventTypes", []):
                continue
            record = event_record(message, event, link)
            try:
                send(kind, destination[kind], message, event, record)
            except Exception:  # noqa: BLE001 - SES drops what it cannot publish
                continue
            delivered.append((destination["Name"], kind))
    return delivered


def send(kind, target, message, event, record):
    text = json.dumps(record)
    if kind == "SnsDestination":
        arn = target["TopicArn"]
        account, region = arn.split(":")[4], arn.split(":")[3]
        sns_backends[account][region].publish(text, arn=arn)
    elif kind == "EventBridgeDestination":
        arn = target["EventBusArn"]
        account, region = arn.split(":")[4], arn.split(":")[3]
        events_backends[account][region].put_events([{
            "Source": "aws.ses",
            "DetailType": DETAIL_TYPES[event],
            "Detail": text,
            "EventBusName": arn,
            "Resources": [configuration_set_arn(message)],
        }])
    elif kind == "KinesisFirehoseDestination":
        arn = target["DeliveryStreamArn"]
        account, region, name = arn.split(":")[4], arn.split(":")[3], arn.split("/")[-1]
        firehose_backends[account][region].put_record_batch(name, [{"Data": (text + "\n").encode()}])

