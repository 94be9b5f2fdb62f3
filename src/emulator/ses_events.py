"""
SES event publishing to CloudWatch, as the emulator performs it: which events a message produces,
which CloudWatch destinations receive them, and the dimension values of each data point.

Sources, Amazon SES Developer Guide and CloudWatch User Guide:
- Metric names and namespace: CloudWatch User Guide, "Amazon SES metrics and dimensions"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ses-metricscollected.html), and the
  event types of "Contents of event data that Amazon SES publishes to Amazon SNS"
  (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html): Send,
  Delivery, Bounce, Complaint, Reject, Open, Click, Rendering Failure, DeliveryDelay, Subscription.
- Dimensions and their values: "Set up a CloudWatch event destination for event publishing"
  (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-add-event-destination-cloudwatch.html):
  the destination's dimension names, values from message tags, email headers or link tags, the default
  value when the message has none; header names and values must be ASCII, or SES sends the mail and
  emits no metric for that destination.
- Message tags: "Send email using SES event publishing"
  (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-send-email.html): the API's EmailTags,
  or for raw mail the X-SES-MESSAGE-TAGS header (`name=value, name2=value2`); the API's tags win, the
  two are not merged; X-SES-CONFIGURATION-SET names the set of raw mail. Auto-tags ("How event
  publishing works", https://docs.aws.amazon.com/ses/latest/dg/monitor-using-event-publishing.html):
  ses:configuration-set, ses:from-domain, ses:caller-identity, ses:source-ip, ses:outgoing-ip, ...
- Link tags: "Tagging links" in the event publishing guide: `ses:tags="name:value;name2:value2"` on the
  anchor; they reach Click events only.
- The mailbox simulator ("Using the mailbox simulator",
  https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator):
  success@ delivered, bounce@ hard bounce, complaint@ delivered then a complaint, ooto@ delivered (an
  auto-reply), suppressionlist@ a bounce as if on the suppression list; `+label` before @ is allowed.
- Rendering Failure: a templated send whose data lacks a value the template uses is not sent.

Which event types carry a dimension's own value, and where the default can appear, is not written
here: it is read from publishing_rules.json, generated from the rule table that the cost model reads
(modules/publishing-rules.ts), so that the emulator and the estimate cannot disagree.
"""
import json
import os
import re
import threading
import uuid
from datetime import datetime, timezone
from email import message_from_string
from email.header import decode_header, make_header
from email.utils import parseaddr
from html.parser import HTMLParser

NAMESPACE = "AWS/SES"
METRIC_NAMES = {
    "SEND": "Send",
    "DELIVERY": "Delivery",
    "BOUNCE": "Bounce",
    "COMPLAINT": "Complaint",
    "REJECT": "Reject",
    "OPEN": "Open",
    "CLICK": "Click",
    "RENDERING_FAILURE": "Rendering Failure",
    "DELIVERY_DELAY": "DeliveryDelay",
    "SUBSCRIPTION": "Subscription",
}
SIMULATOR_DOMAIN = "simulator.amazonses.com"
# Events after Send, per mailbox simulator address (local part without +label).
SIMULATOR_OUTCOMES = {
    "success": ["DELIVERY"],
    "bounce": ["BOUNCE"],
    "complaint": ["DELIVERY", "COMPLAINT"],
    "ooto": ["DELIVERY"],
    "suppressionlist": ["BOUNCE"],
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "publishing_rules.json"), encoding="utf-8") as _rules:
    PUBLISHING_RULES = json.load(_rules)
AUTO_TAGS = frozenset(PUBLISHING_RULES["autoTags"])
TAG_TEXT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# A documentation address (RFC 5737): the emulator sends nothing, so it has no outgoing IP of its own.
EMULATOR_OUTGOING_IP = "192.0.2.1"


class EventError(Exception):
    """A send SES refuses: the error type, its message and the HTTP status."""

    def __init__(self, error_type, message, status=400):
        super().__init__(message)
        self.error_type = error_type
        self.status = status


def is_ascii(text):
    return all(ord(char) < 128 for char in text)


def recipient_outcomes(address):
    """The events after Send for one recipient: the simulator's scripted ones, else a delivery."""
    _, parsed = parseaddr(address)
    local, _, domain = parsed.rpartition("@")
    if domain.lower() != SIMULATOR_DOMAIN:
        return ["DELIVERY"]
    return SIMULATOR_OUTCOMES.get(local.split("+", 1)[0].lower(), ["DELIVERY"])


def parse_tags_header(value):
    """`name=value, name2=value2` (X-SES-MESSAGE-TAGS) as a dict."""
    tags = {}
    for pair in (value or "").split(","):
        name, separator, tag_value = pair.strip().partition("=")
        if separator:
            tags[name.strip()] = tag_value.strip()
    return tags


def check_tags(tags):
    for name, value in tags.items():
        if not TAG_TEXT.match(name) or not TAG_TEXT.match(value):
            raise EventError(
                "BadRequestException",
                f"Invalid message tag {name}={value}: names and values are 1 to 256 ASCII letters, digits, '_' or '-'.",
            )


class _Links(HTMLParser):
    """The anchors of an HTML body, with their ses:tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attributes = dict(attrs)
        tags = {}
        for pair in (attributes.get("ses:tags") or "").split(";"):
            name, separator, value = pair.strip().partition(":")
            if separator:
                tags[name.strip()] = value.strip()
        self.links.append({"url": attributes.get("href") or "", "tags": tags})


def links_of(html):
    parser = _Links()
    parser.feed(html or "")
    return parser.links


class MissingTemplateValue(Exception):
    pass


def render(template_text, data):
    """`{{name}}` and `{{a.b}}` from the template data; a missing value fails like SES's renderer."""

    def value(match):
        current = data
        for part in match.group(1).strip().split("."):
            if not isinstance(current, dict) or part not in current:
                raise MissingTemplateValue(match.group(1).strip())
            current = current[part]
        return str(current)

    return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", value, template_text or "")


class SentMessage:
    """What SES keeps of a message to publish its events: the set, tags, headers, links and caller."""

    def __init__(self, account, region, configuration_set, from_address, recipients, tags, headers, html, caller):
        self.message_id = f"{uuid.uuid4().hex}-emulated"
        self.sent_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.account = account
        self.region = region
        self.configuration_set = configuration_set
        self.from_address = from_address
        self.recipients = recipients
        self.tags = tags
        # Header names compare case-insensitively, as in MIME.
        self.headers = {name.lower(): (name, value) for name, value in headers}
        self.links = links_of(html)
        self.caller = caller

    def auto_tag(self, name):
        """SES's own value for an auto-tag (SES sets every one of them on every message)."""
        return {
            "ses:configuration-set": self.configuration_set,
            "ses:from-domain": parseaddr(self.from_address)[1].rpartition("@")[2],
            "ses:caller-identity": self.caller,
            # The emulator's clients reach it over loopback, and TLS (sesform emulator --tls) as 1.3.
            "ses:source-ip": "127.0.0.1",
            "ses:outgoing-ip": EMULATOR_OUTGOING_IP,
            "ses:source-tls-version": "TLSv1.3",
            "ses:outgoing-tls-version": "TLSv1.3",
        }[name]


def origin_of(dimension):
    """The rule table's key: an auto-tag's own name for a message tag SES sets, else the value source."""
    name = dimension["DimensionName"]
    source = dimension["DimensionValueSource"]
    return name if source == "MESSAGE_TAG" and name in AUTO_TAGS else source


def own_value(origin, dimension, message, link):
    """The value the message (or the clicked link) holds for the dimension, or None when it has none."""
    name = dimension["DimensionName"]
    if origin in AUTO_TAGS:
        return message.auto_tag(origin)
    if origin == "MESSAGE_TAG":
        return message.tags.get(name)
    if origin == "EMAIL_HEADER":
        found = message.headers.get(name.lower())
        return None if found is None else found[1]
    if origin == "LINK_TAG":
        return None if link is None else link["tags"].get(name)
    raise ValueError(f"no publishing rule for value source {origin}")


def dimension_value(dimension, message, event, link):
    origin = origin_of(dimension)
    rule = PUBLISHING_RULES["origins"][origin][event]
    default = dimension["DefaultDimensionValue"]
    if not rule["value"]:
        return default
    value = own_value(origin, dimension, message, link)
    if value is None:
        if not rule["default"]:
            raise ValueError(f"SES always sets {origin}, but the emulator has no value for it")
        return default
    return value


def silenced_by_headers(destination, message):
    """A header dimension whose name or value is not ASCII: SES sends the mail, this destination emits nothing."""
    for dimension in destination["CloudWatchDestination"].get("DimensionConfigurations") or []:
        if dimension["DimensionValueSource"] != "EMAIL_HEADER":
            continue
        found = message.headers.get(dimension["DimensionName"].lower())
        if not is_ascii(dimension["DimensionName"]) or (found is not None and not is_ascii(found[1])):
            return True
    return False


def data_points(destinations, message, event, link=None):
    """The CloudWatch data points of one event: one per enabled CloudWatch destination that matches it."""
    points = []
    for destination in destinations:
        if not destination.get("Enabled") or "CloudWatchDestination" not in destination:
            continue
        if event not in destination.get("MatchingEventTypes", []):
            continue
        if silenced_by_headers(destination, message):
            continue
        dimensions = [
            {"Name": dimension["DimensionName"], "Value": dimension_value(dimension, message, event, link)}
            for dimension in destination["CloudWatchDestination"].get("DimensionConfigurations") or []
        ]
        points.append({"MetricName": METRIC_NAMES[event], "Dimensions": dimensions, "Value": 1.0, "Unit": "Count"})
    return points


def message_events(message, rendering_failed=False):
    """The events of a message as SES produces them on sending: Send once, then each recipient's outcome."""
    if rendering_failed:
        return ["RENDERING_FAILURE"]
    return ["SEND"] + [event for recipient in message.recipients for event in recipient_outcomes(recipient)]


class Registry:
    """Sent messages by ID, for the engagement control call (opens and clicks happen later)."""

    def __init__(self):
        self._messages = {}
        self._lock = threading.Lock()

    def add(self, message):
        with self._lock:
            self._messages[message.message_id] = message

    def get(self, message_id):
        with self._lock:
            return self._messages.get(message_id)


REGISTRY = Registry()


def raw_parts(raw_text):
    """From, recipients' headers, every header and the HTML body of a raw MIME message."""
    parsed = message_from_string(raw_text)
    headers = []
    for name, value in parsed.items():
        try:
            text = str(make_header(decode_header(value)))
        except Exception:  # an undecodable encoded word stays as written
            text = value
        headers.append((name, text))
    html = ""
    for part in parsed.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            html = payload.decode(part.get_content_charset() or "utf-8", "replace") if payload else ""
            break
    return headers, html


def read_json(body):
    try:
        return json.loads(body or "{}")
    except ValueError as error:
        raise EventError("BadRequestException", f"not JSON: {error}") from error


class ReputationCounts:
    """
    A set's reputation rates as SES publishes them when its reputation metrics are on
    (Reputation.BounceRate and Reputation.ComplaintRate, fractions from 0 to 1, dimension
    ses:configuration-set). SES computes them over a representative volume of recent mail; the emulator
    counts every recipient the set has sent to since it started, which is the same rate for the small
    volumes of a rehearsal.
    """

    def __init__(self):
        self._counts = {}
        self._lock = threading.Lock()

    def add(self, account, region, configuration_set, recipients, events):
        key = (account, region, configuration_set)
        with self._lock:
            sent, bounced, complained = self._counts.get(key, (0, 0, 0))
            sent += recipients
            bounced += events.count("BOUNCE")
            complained += events.count("COMPLAINT")
            self._counts[key] = (sent, bounced, complained)
        if sent == 0:
            return []
        dimensions = [{"Name": "ses:configuration-set", "Value": configuration_set}]
        return [
            {"MetricName": "Reputation.BounceRate", "Dimensions": dimensions, "Value": bounced / sent},
            {"MetricName": "Reputation.ComplaintRate", "Dimensions": dimensions, "Value": complained / sent},
        ]


REPUTATION = ReputationCounts()

