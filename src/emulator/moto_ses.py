"""
Starts moto's server on 127.0.0.1 with its SES v2 support completed so that it can stand in for SES:
configuration-set event destinations (create, get, update, delete), every PutConfigurationSet*Options
call, the boolean SendingOptions shape of GetConfigurationSet, SES's error codes and quotas, and
sending that publishes events and reputation rates to CloudWatch as SES does (ses_sending.py,
ses_events.py), and alarm actions that notify SNS topics (alarm_notifications.py).
Everything else (STS and account routing, S3, CloudWatch, tags) stays moto's own.

    python3 moto_ses.py --port PORT [--tls] [--extension FILE ...]

An extension is a Python file whose `wrap(app)` returns a WSGI app around the emulator's; the tests
add fault injection this way. The product loads none.
"""
import argparse
import importlib.util
import json
import re
import threading
from collections import OrderedDict

import botocore.session
from moto.cloudwatch import models as cloudwatch_models
from moto.core.exceptions import JsonRESTError
from moto.iam import policy_conditions
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.ses import models as ses_models
from moto.sesv2 import urls as sesv2_urls
from moto.sesv2.responses import SESV2Response

from ses_events import METRIC_NAMES, EventError
from alarm_notifications import install as install_alarm_actions, notifications_app
from ses_sending import engagement_app, make_handlers

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DIMENSION_NAME = re.compile(r"^[A-Za-z0-9_:-]{1,256}$")
DIMENSION_VALUE = re.compile(r"^[A-Za-z0-9_@.-]{1,256}$")
EVENT_TYPES = set(METRIC_NAMES)
SOURCES = {"MESSAGE_TAG", "EMAIL_HEADER", "LINK_TAG"}
MAX_DESTINATIONS = 10
MAX_DIMENSIONS = 10


class SesError(JsonRESTError):
    def __init__(self, error_type, message, status):
        super().__init__(error_type, message)
        self.code = status


def not_found(message):
    return SesError("NotFoundException", message, 404)


def bad_request(message):
    return SesError("BadRequestException", message, 400)


def already_exists(message):
    return SesError("AlreadyExistsException", message, 400)


def limit_exceeded(message):
    return SesError("LimitExceededException", message, 400)


# --- model -------------------------------------------------------------------------------------

def destinations_of(config_set):
    if not hasattr(config_set, "sesform_destinations"):
        config_set.sesform_destinations = OrderedDict()
    return config_set.sesform_destinations


def sending_enabled(config_set):
    # SES: a set created without SendingOptions sends; SendingOptions without SendingEnabled (the Go SDK
    # leaves out a false value) means sending is off.
    enabled = config_set.enabled
    if isinstance(enabled, dict):
        return bool(enabled.get("SendingEnabled", False))
    return bool(enabled) if enabled is not None else True


def to_dict_v2(self):
    # Like SES, options that were never set are left out rather than returned empty (the provider
    # would read an empty object as a block and plan to remove it on every run).
    optional = {
        "TrackingOptions": self.tracking_options,
        "DeliveryOptions": self.delivery_options,
        "SuppressionOptions": self.suppression_options,
        "VdmOptions": self.vdm_options,
    }
    shape = {"ConfigurationSetName": self.configuration_set_name, "Tags": self.tags}
    shape.update({key: value for key, value in optional.items() if value})
    # SES always answers with sending and reputation settings; a false flag the Go SDK left out is false.
    shape["SendingOptions"] = {"SendingEnabled": sending_enabled(self)}
    shape["ReputationOptions"] = {
        **(self.reputation_options or {}),
        "ReputationMetricsEnabled": bool((self.reputation_options or {}).get("ReputationMetricsEnabled", False)),
    }
    return shape


ses_models.ConfigurationSet.to_dict_v2 = to_dict_v2


def validate_destination(destination):
    types = destination.get("MatchingEventTypes") or []
    if not types:
        raise bad_request("MatchingEventTypes must contain at least one event type.")
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise bad_request(f"Invalid event type: {unknown[0]}.")
    cloud_watch = destination.get("CloudWatchDestination")
    if cloud_watch is not None:
        dimensions = cloud_watch.get("DimensionConfigurations") or []
        if len(dimensions) > MAX_DIMENSIONS:
            raise limit_exceeded(f"A CloudWatch destination can have at most {MAX_DIMENSIONS} dimensions.")
        names = [d.get("DimensionName", "") for d in dimensions]
        if len(set(names)) != len(names):
            raise bad_request("Dimension names must be unique within a destination.")
        for dimension in dimensions:
            if not DIMENSION_NAME.match(dimension.get("DimensionName", "")):
                raise bad_request(f"Invalid dimension name: {dimension.get('DimensionName')}.")
            if not DIMENSION_VALUE.match(dimension.get("DefaultDimensionValue", "")):
                raise bad_request(f"Invalid default dimension value: {dimension.get('DefaultDimensionValue')}.")
            if dimension.get("DimensionValueSource") not in SOURCES:
                raise bad_request(f"Invalid dimension value source: {dimension.get('DimensionValueSource')}.")


def stored_destination(name, destination):
    stored = {"Name": name, "Enabled": bool(destination.get("Enabled", False))}
    stored["MatchingEventTypes"] = list(destination.get("MatchingEventTypes") or [])
    for kind in ("CloudWatchDestination", "KinesisFirehoseDestination", "SnsDestination",
                 "PinpointDestination", "EventBridgeDestination"):
        if destination.get(kind) is not None:
            stored[kind] = destination[kind]
    return stored


# --- policy conditions -------------------------------------------------------------------------
# AWS: a statement whose condition does not hold does not apply. moto 5.2.1 denies instead, ignores
# the Bool operator, and never knows aws:SecureTransport, so a TLS-only bucket policy would refuse
# every request. The request's scheme is kept per thread (one thread serves one request) and
# offered as aws:SecureTransport.


def bool_operation(expected, actual):
    expected_values = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(value).lower() for value in expected_values]


policy_conditions.CONDITION_OPERATIONS["Bool"] = bool_operation

_request = threading.local()
_original_check_conditions = IAMPolicyStatement._check_conditions
_original_is_action_permitted = IAMPolicyStatement.is_action_permitted


def check_conditions(self, incoming_condition_values):
    values = dict(incoming_condition_values or {})
    values.setdefault("aws:SecureTransport", "true" if getattr(_request, "https", False) else "false")
    return _original_check_conditions(self, values)


def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
        return PermissionResult.NEUTRAL
    return _original_is_action_permitted(self, action, resource, principal, incoming_condition_values)


IAMPolicyStatement._check_conditions = check_conditions
IAMPolicyStatement.is_action_permitted = is_action_permitted


# moto 5.2's ListMetrics dedupes series with are_dimensions_same, which compares every dimension with
# every other one, so a series with two or more dimensions is never "the same" as itself and is
# listed once per PutMetricData call. CloudWatch lists each series (name and dimension set) once.
def are_dimensions_same(metric_dimensions, dimensions):
    as_set = lambda listed: {(dimension.name, dimension.value) for dimension in listed}
    return len(metric_dimensions) == len(dimensions) and as_set(metric_dimensions) == as_set(dimensions)


cloudwatch_models.are_dimensions_same = are_dimensions_same


def remember_scheme(app):
    def wrapped(environ, start_response):
        _request.https = environ.get("wsgi.url_scheme") == "https"
        return app(environ, start_response)

    return wrapped


# --- responses ---------------------------------------------------------------------------------

def config_set(self):
    name = self._get_param("ConfigurationSetName")
    sets = self.sesv2_backend.core_backend.config_sets
    if name not in sets:
        raise not_found(f"Configuration set <{name}> does not exist.")
    return sets[name]


original_create = SESV2Response.create_configuration_set


def create_configuration_set(self):
    name = self._get_param("ConfigurationSetName") or ""
    if not NAME.match(name):
        raise bad_request(f"Invalid configuration set name <{name}>.")
    if name in self.sesv2_backend.core_backend.config_sets:
        raise already_exists(f"Configuration set <{name}> already exists.")
    result = original_create(self)
    sending = self._get_param("SendingOptions")
    # moto stores a missing SendingOptions and an empty one alike; SES does not.
    self.sesv2_backend.core_backend.config_sets[name].enabled = (
        {"SendingEnabled": True} if sending is None else {"SendingEnabled": bool(sending.get("SendingEnabled", False))}
    )
    return result


def get_configuration_set(self):
    return json.dumps(config_set(self).to_dict_v2())


def delete_configuration_set(self):
    found = config_set(self)
    self.sesv2_backend.core_backend.config_sets.pop(found.configuration_set_name)
    return json.dumps({})


def create_configuration_set_event_destination(self):
    found = config_set(self)
    name = self._get_param("EventDestinationName") or ""
    destination = self._get_param("EventDestination") or {}
    if not NAME.match(name):
        raise bad_request(f"Invalid event destination name <{name}>.")
    destinations = destinations_of(found)
    if name in destinations:
        raise already_exists(f"Event destination <{name}> already exists in <{found.configuration_set_name}>.")
    if len(destinations) >= MAX_DESTINATIONS:
        raise limit_exceeded(f"A configuration set can have at most {MAX_DESTINATIONS} event destinations.")
    validate_destination(destination)
    destinations[name] = stored_destination(name, destination)
    return json.dumps({})


def get_configuration_set_event_destinations(self):
    found = config_set(self)
    return json.dumps({"EventDestinations": list(destinations_of(found).values())})


def destination_of(self, found):
    name = self._get_param("EventDestinationName")
    destinations = destinations_of(found)
    if name not in destinations:
        raise not_found(f"Event destination <{name}> does not exist in <{found.configuration_set_name}>.")
    return name, destinations


def update_configuration_set_event_destination(self):
    found = config_set(self)
    name, destinations = destination_of(self, found)
    destination = self._get_param("EventDestination") or {}
    validate_destination(destination)
    destinations[name] = stored_destination(name, destination)
    return json.dumps({})


def delete_configuration_set_event_destination(self):
    found = config_set(self)
    name, destinations = destination_of(self, found)
    del destinations[name]
    return json.dumps({})


def put_options(attribute, fields):
    def handler(self):
        found = config_set(self)
        values = {field: self._get_param(field) for field in fields}
        if attribute == "enabled":
            found.enabled = {"SendingEnabled": bool(values["SendingEnabled"])}
        else:
            setattr(found, attribute, {k: v for k, v in values.items() if v is not None})
        return json.dumps({})
    return handler


def put_vdm_options(self):
    config_set(self).vdm_options = self._get_param("VdmOptions") or {}
    return json.dumps({})


HANDLERS = {
    "CreateConfigurationSet": create_configuration_set,
    "GetConfigurationSet": get_configuration_set,
    "DeleteConfigurationSet": delete_configuration_set,
    "CreateConfigurationSetEventDestination": create_configuration_set_event_destination,
    "GetConfigurationSetEventDestinations": get_configuration_set_event_destinations,
    "UpdateConfigurationSetEventDestination": update_configuration_set_event_destination,
    "DeleteConfigurationSetEventDestination": delete_configuration_set_event_destination,
    "PutConfigurationSetSendingOptions": put_options("enabled", ["SendingEnabled"]),
    "PutConfigurationSetReputationOptions": put_options("reputation_options", ["ReputationMetricsEnabled"]),
    "PutConfigurationSetDeliveryOptions": put_options(
        "delivery_options", ["TlsPolicy", "SendingPoolName", "MaxDeliverySeconds"]),
    "PutConfigurationSetTrackingOptions": put_options(
        "tracking_options", ["CustomRedirectDomain", "HttpsPolicy"]),
    "PutConfigurationSetSuppressionOptions": put_options("suppression_options", ["SuppressedReasons"]),
    "PutConfigurationSetVdmOptions": put_vdm_options,
}


def as_ses_errors(handler):
    """The sending handlers' refusals as SES's JSON errors."""
    def wrapped(self):
        try:
            return handler(self)
        except EventError as error:
            raise SesError(error.error_type, str(error), error.status) from error

    return wrapped


def reputation_enabled(config_set):
    return bool((config_set.reputation_options or {}).get("ReputationMetricsEnabled", False))


SENDING_HANDLERS, engage = make_handlers(destinations_of, sending_enabled, reputation_enabled)
HANDLERS.update({operation: as_ses_errors(handler) for operation, handler in SENDING_HANDLERS.items()})


class ListConfigurationSetsByPost(SESV2Response):
    """Newer SDKs (the AWS SDK for JavaScript v3 among them) send ListConfigurationSets as
    POST /v2/email/list-configuration-sets, which botocore's model in moto does not know."""

    def _dispatch(self, request, full_url, headers):
        self.setup_class(request, full_url, headers)
        names = list(self.sesv2_backend.core_backend.config_sets.keys())
        return 200, {"Content-Type": "application/json"}, json.dumps({"ConfigurationSets": names})


def snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def register():
    """Adds the handlers, and URL patterns for their deeper paths, taken from botocore's SES v2 model."""
    model = botocore.session.get_session().get_service_model("sesv2")
    patterns = OrderedDict()
    for operation, handler in HANDLERS.items():
        setattr(SESV2Response, snake_case(operation), handler)
        uri = model.operation_model(operation).http["requestUri"].split("?")[0]
        pattern = "{0}" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", uri) + "$"
        patterns[pattern] = SESV2Response.dispatch
    patterns["{0}/v2/email/list-configuration-sets$"] = ListConfigurationSetsByPost.dispatch
    # Explicit patterns must come before moto's catch-all "/v2/.*".
    patterns.update(sesv2_urls.url_paths)
    sesv2_urls.url_paths.clear()
    sesv2_urls.url_paths.update(patterns)


def load_extension(file):
    """A Python file given by --extension, as a module."""
    spec = importlib.util.spec_from_file_location(f"sesform_extension_{abs(hash(file))}", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- exposure ---------------------------------------------------------------------------------

# A Host header that is a loopback name, with an optional port, and nothing else: "127.0.0.1:4566",
# "localhost", "[::1]:4566"; never "127.0.0.1:4566@evil.example" or "127.0.0.1.evil.example".
LOOPBACK_HOST = re.compile(r"^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$", re.IGNORECASE)


def addressed_to_loopback(host_header):
    """The request names a loopback host (and port) exactly."""
    return LOOPBACK_HOST.fullmatch(host_header or "") is not None


def loopback_only(app):
    """Answers only requests addressed to a loopback name, never cross-origin ones, and never with CORS
    headers: a web page that finds the port (DNS rebinding, a cross-origin POST /moto-api/reset) cannot
    reach the emulator's state. AWS clients send neither another Host nor an Origin."""
    def refuse(start_response, why):
        body = f"{why}\n".encode()
        start_response("403 Forbidden", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    def wrapped(environ, start_response):
        if not addressed_to_loopback(environ.get("HTTP_HOST", "")):
            return refuse(start_response, "the emulator answers requests addressed to 127.0.0.1, localhost or [::1] only")
        if "HTTP_ORIGIN" in environ or environ.get("REQUEST_METHOD") == "OPTIONS":
            return refuse(start_response, "the emulator answers no cross-origin (browser) requests")

        def without_cors(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]
            return start_response(status, kept, exc_info)

        return app(environ, without_cors)

    return wrapped


# The launcher extends moto's internals (handlers, URL patterns, policy conditions) as they are in these
# versions; another version may route or store differently, so it is refused rather than half-working.
SUPPORTED_MOTO = ((5, 2), (5, 3))


def check_moto_version(version):
    """Exits with a clear message unless `version` is in SUPPORTED_MOTO (lowest included, highest not)."""
    low, high = SUPPORTED_MOTO
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if not (low <= numbers < high):
        raise SystemExit(
            f"moto {version} is not supported by the sesform emulator, which extends moto's internals: "
            f"install moto >={low[0]}.{low[1]},<{high[0]}.{high[1]} "
            f"(pip install 'moto[server]>={low[0]}.{low[1]},<{high[0]}.{high[1]}') or point SESFORM_PYTHON at a Python that has it."
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a throwaway self-signed certificate")
    parser.add_argument("--extension", action="append", default=[], help="a Python file whose wrap(app) wraps the app")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the emulator only listens on the loopback address")
    import moto

    check_moto_version(moto.__version__)
    register()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    install_alarm_actions()
    app = notifications_app(engagement_app(remember_scheme(DomainDispatcherApplication(create_backend_app)), engage))
    for extension in args.extension:
        app = load_extension(extension).wrap(app)
    app = loopback_only(app)
    server = make_server(args.host, args.port, app, threaded=True, ssl_context="adhoc" if args.tls else None)
    # The socket is bound: requests from here on wait in its backlog until serve_forever takes them.
    print(f"ready {'https' if args.tls else 'http'}://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
