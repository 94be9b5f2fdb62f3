"""
Fault injection for the embedded emulator (tests only), loaded with `--extension`: a control endpoint
makes SES v2 calls fail or slow down.
    POST   /_sesform/faults  {"operation": "CreateConfigurationSet", "count": 3, "status": 429,
                              "code": "TooManyRequestsException", "latencyMs": 0, "account": "222222222222"}
           the next `count` calls of the operation (in that account, when given) wait `latencyMs`, then
           fail with `status` and `code` (or, without a status, go through after the wait)
    DELETE /_sesform/faults  forget every rule
    GET    /_sesform/calls   how many calls of each SES v2 operation arrived so far
"""
import json
import re
import threading
import time
from collections import Counter

import botocore.session


def sesv2_operations():
    """(method, path pattern, operation) for every SES v2 operation, from botocore's model."""
    model = botocore.session.get_session().get_service_model("sesv2")
    found = [("POST", re.compile(r"^/v2/email/list-configuration-sets$"), "ListConfigurationSets")]
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?")[0]
        found.append((http["method"], re.compile("^" + re.sub(r"\{(\w+)\}", r"[^/]+", uri) + "$"), name))
    return found


def account_of(environ):
    """The account a request is signed for, as moto routes it (assumed-role keys map to their account)."""
    match = re.search(r"Credential=([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    from moto.iam.models import get_account_id_from
    return get_account_id_from(match.group(1))


class FaultInjection:
    def __init__(self, app):
        self.app = app
        self.operations = sesv2_operations()
        self.rules = []
        self.calls = Counter()
        self.lock = threading.Lock()

    def operation(self, environ):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        return next((name for verb, pattern, name in self.operations if verb == method and pattern.match(path)), None)

    def control(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        with self.lock:
            if path == "/_sesform/faults" and method == "POST":
                size = int(environ.get("CONTENT_LENGTH") or 0)
                self.rules.append(json.loads(environ["wsgi.input"].read(size) or b"{}"))
                body = {"rules": self.rules}
            elif path == "/_sesform/faults" and method == "DELETE":
                self.rules.clear()
                body = {"rules": []}
            elif path == "/_sesform/calls" and method == "GET":
                body = dict(self.calls)
            else:
                start_response("404 Not Found", [("Content-Type", "application/json")])
                return [b"{}"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def take_rule(self, operation, environ):
        with self.lock:
            self.calls[operation] += 1
            for rule in self.rules:
                if rule.get("operation") != operation or rule.get("count", 1) <= 0:
                    continue
                if rule.get("account") and rule["account"] != account_of(environ):
                    continue
                rule["count"] = rule.get("count", 1) - 1
                return dict(rule)
        return None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/_sesform/"):
            return self.control(environ, start_response)
        operation = self.operation(environ) if "/v2/email/" in environ.get("PATH_INFO", "") else None
        rule = self.take_rule(operation, environ) if operation else None
        if rule is None:
            return self.app(environ, start_response)
        time.sleep(rule.get("latencyMs", 0) / 1000)
        status = rule.get("status")
        if status is None:
            return self.app(environ, start_response)
        code = rule.get("code", "InternalFailure")
        body = json.dumps({"message": rule.get("message", f"injected fault: {code}")}).encode()
        start_response(f"{status} Injected", [
            ("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("Content-Length", str(len(body)))])
        return [body]



def wrap(app):
    return FaultInjection(app)
