"""
CloudWatch alarm actions for the emulator, as CloudWatch performs them: when an alarm's state changes
(SetAlarmState; the emulator does not evaluate metrics by itself), the actions of the new state that
are SNS topics receive CloudWatch's alarm message. SNS delivery stays on the loopback address: an http
or https subscription elsewhere is recorded as not delivered, never contacted. What each topic received
is readable at GET /_sesform/notifications?topic=ARN (local mode's view of "the pager went off").
"""
import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

from moto.cloudwatch.models import CloudWatchBackend
from moto.sns.models import Subscription, sns_backends

NOTIFICATIONS_PATH = "/_sesform/notifications"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html: the
# "ALARM: "name" in Region" subject and the JSON message with the state change and the trigger.
REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "eu-west-1": "EU (Ireland)"}


def alarm_message(alarm, old_state, account):
    trigger = {
        "MetricName": alarm.metric_name,
        "Namespace": alarm.namespace,
        "StatisticType": "Statistic",
        "Statistic": (alarm.statistic or "").upper(),
        "Unit": alarm.unit,
        "Dimensions": [{"name": d.name, "value": d.value} for d in alarm.dimensions],
        "Period": alarm.period,
        "EvaluationPeriods": alarm.evaluation_periods,
        "ComparisonOperator": alarm.comparison_operator,
        "Threshold": alarm.threshold,
        "TreatMissingData": alarm.treat_missing_data,
    }
    if alarm.metric_data_queries:
        trigger["Metrics"] = [{"Id": query.id, "Expression": query.expression} for query in alarm.metric_data_queries]
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp.isoformat(),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": datetime.now(timezone.utc).isoformat(),
        "Region": REGION_NAMES.get(alarm.region_name, alarm.region_name),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old_state,
        "Trigger": trigger,
    }


def notify(alarm, old_state, account):
    if not alarm.actions_enabled:
        return
    actions = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }[alarm.state_value] or []
    for arn in actions:
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "sns":
            continue
        topic = sns_backends[parts[4]][parts[3]].topics.get(arn)
        if topic is None:
            continue
        region = REGION_NAMES.get(alarm.region_name, alarm.region_name)
        topic.publish(
            json.dumps(alarm_message(alarm, old_state, account)),
            subject=f'{alarm.state_value}: "{alarm.name}" in {region}'[:100],
        )


def install():
    set_alarm_state = CloudWatchBackend.set_alarm_state

    def set_alarm_state_and_notify(self, alarm_name, reason, reason_data, state_value):
        old_state = self.alarms[alarm_name].state_value if alarm_name in self.alarms else None
        set_alarm_state(self, alarm_name, reason, reason_data, state_value)
        if old_state != state_value:
            notify(self.alarms[alarm_name], old_state, self.account_id)

    CloudWatchBackend.set_alarm_state = set_alarm_state_and_notify

    deliver = Subscription.publish

    def deliver_on_loopback_only(self, message, message_id, *args, **kwargs):
        if self.protocol in ("http", "https") and urlparse(self.endpoint).hostname not in LOOPBACK_HOSTS:
            return None  # the emulator reaches nothing beyond 127.0.0.1
        if self.protocol in ("email", "email-json"):
            return None  # SNS mails the address on AWS; here the topic's record is the delivery
        return deliver(self, message, message_id, *args, **kwargs)

    Subscription.publish = deliver_on_loopback_only


def notifications_of(topic_arn):
    parts = topic_arn.split(":")
    if len(parts) < 6:
        return None
    topic = sns_backends[parts[4]][parts[3]].topics.get(topic_arn)
    if topic is None:
        return None
    return [
        {"MessageId": message_id, "Subject": subject, "Message": message}
        for (message_id, message, subject, _attributes, _group) in topic.sent_notifications
    ]


def notifications_app(app):
    """Serves GET /_sesform/notifications?topic=ARN in front of the emulator's app."""

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") != NOTIFICATIONS_PATH or environ.get("REQUEST_METHOD") != "GET":
            return app(environ, start_response)
        topic = (parse_qs(environ.get("QUERY_STRING") or "").get("topic") or [""])[0]
        found = notifications_of(topic)
        if found is None:
            status, payload = "404 Not Found", {"__type": "NotFound", "message": f"No topic {topic}."}
        else:
            status, payload = "200 OK", {"Notifications": found}
        encoded = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(encoded)))])
        return [encoded]

    return wrapped
