"""
SES v2 sending for the emulator: SendEmail (simple, raw and template content), SendBulkEmail, the
email templates they name, and the engagement control call that simulates an open or a click of a
sent message. Every accepted message publishes its events to the emulator's CloudWatch in the
caller's account and region (see ses_events.py for the rules and their sources).

    POST /_sesform/engagement  {"MessageId": "...", "Event": "OPEN" | "CLICK", "LinkUrl": "..."}

answers the data points it published; it exists in the emulator only (local mode), since on AWS an
open or a click needs a person and a mail client.
"""
import base64
import json
import threading

from moto.cloudwatch.models import cloudwatch_backends
from moto.ses.models import ses_backends
from moto.sts.models import sts_backends

from ses_event_records import deliver
from ses_events import (
    NAMESPACE,
    REGISTRY,
    REPUTATION,
    EventError,
    MissingTemplateValue,
    SentMessage,
    check_tags,
    data_points,
    message_events,
    parse_tags_header,
    raw_parts,
    read_json,
    render,
)

ENGAGEMENT_PATH = "/_sesform/engagement"
ENGAGEMENT_EVENTS = ("OPEN", "CLICK")

_templates = {}
_templates_lock = threading.Lock()


def make_handlers(destinations_of, sending_enabled, reputation_enabled):
    """The SES v2 handlers, given the launcher's accessors of a configuration set's stored state."""

    def config_set_named(account, region, name):
        sets = ses_backends[account][region].config_sets
        if name not in sets:
            raise EventError("NotFoundException", f"Configuration set <{name}> does not exist.", 404)
        return sets[name]

    def publish(message, events, link=None):
        found = config_set_named(message.account, message.region, message.configuration_set)
        destinations = list(destinations_of(found).values())
        points = [point for event in events for point in data_points(destinations, message, event, link)]
        if points:
            cloudwatch_backends[message.account][message.region].put_metric_data(NAMESPACE, points)
        deliver(destinations, message, events, link)
        return points

    def caller_of(self):
        """ses:caller-identity: the IAM identity that called, the role's name for an assumed role."""
        key = self.get_access_key()
        for backend in sts_backends[self.current_account].values():
            role = backend.get_assumed_role_from_access_key(key)
            if role is not None:
                return role.arn.split(":assumed-role/")[-1].split("/")[0]
        return "moto"

    def accept(self, source, recipients, tags, headers, html, configuration_set, rendering_failed=False):
        if not source:
            raise EventError("BadRequestException", "FromEmailAddress (or, for raw mail, a From header) is required.")
        if not self.sesv2_backend.core_backend._is_verified_address(source):
            raise EventError(
                "MessageRejected",
                f"Email address is not verified. The following identities failed the check in region {self.region.upper()}: {source}",
            )
        if not recipients:
            raise EventError("BadRequestException", "The message has no recipients.")
        check_tags(tags)
        if configuration_set:
            found = config_set_named(self.current_account, self.region, configuration_set)
            if not sending_enabled(found):
                raise EventError(
                    "SendingPausedException", f"Sending is paused for configuration set <{configuration_set}>."
                )
        message = SentMessage(
            self.current_account, self.region, configuration_set, source, recipients, tags, headers, html,
            caller_of(self),
        )
        REGISTRY.add(message)
        if configuration_set:
            events = message_events(message, rendering_failed)
            publish(message, events)
            if reputation_enabled(found):
                rates = REPUTATION.add(self.current_account, self.region, configuration_set, len(recipients), events)
                cloudwatch_backends[self.current_account][self.region].put_metric_data(NAMESPACE, rates)
        return message

    def template_text(self, template):
        if template.get("TemplateContent"):
            return template["TemplateContent"]
        name = template.get("TemplateName") or (template.get("TemplateArn") or "").rpartition("/")[2]
        with _templates_lock:
            stored = _templates.get((self.current_account, self.region, name))
        if stored is None:
            raise EventError("NotFoundException", f"Template {name} does not exist.", 404)
        return stored

    def rendered(self, template, data_text):
        """The HTML of a template rendered with its data, and whether rendering failed."""
        content = template_text(self, template)
        try:
            data = json.loads(data_text or "{}")
        except ValueError as error:
            raise EventError("BadRequestException", f"TemplateData is not JSON: {error}") from error
        try:
            for part in ("Subject", "Text"):
                render(content.get(part), data)
            return render(content.get("Html"), data), False
        except MissingTemplateValue:
            return "", True

    def header_pairs(entries):
        return [(header["Name"], header["Value"]) for header in entries or []]

    def addresses(destination):
        return [
            address
            for field in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in (destination or {}).get(field, [])
        ]

    def api_tags(entries):
        return {tag["Name"]: tag["Value"] for tag in entries or []}

    def send_email(self):
        params = read_json(self.body)
        content = params.get("Content") or {}
        tags = api_tags(params.get("EmailTags"))
        configuration_set = params.get("ConfigurationSetName")
        source = params.get("FromEmailAddress")
        recipients = addresses(params.get("Destination"))
        rendering_failed = False
        if "Raw" in content:
            raw = base64.b64decode(content["Raw"]["Data"]).decode("utf-8", "replace")
            headers, html = raw_parts(raw)
            by_name = {name.lower(): value for name, value in headers}
            # SES uses the API's tags when there are any, else the header's; it never merges them.
            tags = tags or parse_tags_header(by_name.get("x-ses-message-tags"))
            configuration_set = configuration_set or by_name.get("x-ses-configuration-set")
            source = source or by_name.get("from")
            recipients = recipients or [
                address.strip()
                for field in ("to", "cc", "bcc")
                for address in (by_name.get(field) or "").split(",")
                if address.strip()
            ]
        elif "Template" in content:
            template = content["Template"]
            headers = header_pairs(template.get("Headers"))
            html, rendering_failed = rendered(self, template, template.get("TemplateData"))
        elif "Simple" in content:
            simple = content["Simple"]
            headers = header_pairs(simple.get("Headers"))
            html = ((simple.get("Body") or {}).get("Html") or {}).get("Data", "")
        else:
            raise EventError("BadRequestException", "Content needs Simple, Raw or Template.")
        message = accept(self, source, recipients, tags, headers, html, configuration_set, rendering_failed)
        return json.dumps({"MessageId": message.message_id})

    def send_bulk_email(self):
        params = read_json(self.body)
        template = (params.get("DefaultContent") or {}).get("Template") or {}
        default_tags = api_tags(params.get("DefaultEmailTags"))
        results = []
        for entry in params.get("BulkEmailEntries") or []:
            replacement = ((entry.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {}).get(
                "ReplacementTemplateData"
            )
            html, rendering_failed = rendered(self, template, replacement or template.get("TemplateData"))
            headers = header_pairs(entry.get("ReplacementHeaders"))
            tags = api_tags(entry.get("ReplacementTags")) or default_tags
            message = accept(
                self,
                params.get("FromEmailAddress"),
                addresses(entry.get("Destination")),
                tags,
                headers,
                html,
                params.get("ConfigurationSetName"),
                rendering_failed,
            )
            results.append({"Status": "SUCCESS", "MessageId": message.message_id})
        return json.dumps({"BulkEmailEntryResults": results})

    def create_email_template(self):
        params = read_json(self.body)
        key = (self.current_account, self.region, params.get("TemplateName") or "")
        with _templates_lock:
            if key in _templates:
                raise EventError("AlreadyExistsException", f"Template {key[2]} already exists.")
            _templates[key] = params.get("TemplateContent") or {}
        return json.dumps({})

    def get_email_template(self):
        name = self._get_param("TemplateName")
        with _templates_lock:
            stored = _templates.get((self.current_account, self.region, name))
        if stored is None:
            raise EventError("NotFoundException", f"Template {name} does not exist.", 404)
        return json.dumps({"TemplateName": name, "TemplateContent": stored})

    def delete_email_template(self):
        name = self._get_param("TemplateName")
        with _templates_lock:
            if _templates.pop((self.current_account, self.region, name), None) is None:
                raise EventError("NotFoundException", f"Template {name} does not exist.", 404)
        return json.dumps({})

    def engage(body):
        """An open or a click of a sent message, through its set's destinations as they are now."""
        request = read_json(body)
        message = REGISTRY.get(request.get("MessageId") or "")
        if message is None:
            raise EventError("NotFoundException", f"No sent message {request.get('MessageId')}.", 404)
        event = request.get("Event")
        if event not in ENGAGEMENT_EVENTS:
            raise EventError("BadRequestException", f"Event must be one of {', '.join(ENGAGEMENT_EVENTS)}.")
        link = None
        if event == "CLICK":
            wanted = request.get("LinkUrl")
            links = [each for each in message.links if wanted is None or each["url"] == wanted]
            if not links:
                raise EventError("BadRequestException", f"The message has no link {wanted or ''}".strip() + ".")
            link = links[0]
        if not message.configuration_set:
            return []
        return publish(message, [event], link)

    handlers = {
        "SendEmail": send_email,
        "SendBulkEmail": send_bulk_email,
        "CreateEmailTemplate": create_email_template,
        "GetEmailTemplate": get_email_template,
        "DeleteEmailTemplate": delete_email_template,
    }
    return handlers, engage


def engagement_app(app, engage):
    """Serves the engagement control call in front of the emulator's app."""

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") != ENGAGEMENT_PATH or environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace")
        try:
            status, payload = "200 OK", {"DataPoints": engage(body)}
        except EventError as error:
            status, payload = f"{error.status} Error", {"__type": error.error_type, "message": str(error)}
        encoded = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(encoded)))])
        return [encoded]

    return wrapped
