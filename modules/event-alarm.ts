import { CloudwatchMetricAlarm } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import {
  EVENTS_QUERY_ID,
  EVENT_ALARM_DEFAULTS,
  eventAlarmViolations,
  formatPercent,
  seriesDimensions,
} from './alarm-rules';
import { EVENT_TYPE_V1_SPELLING, EventTypeName, METRIC_NAMES, SES_NAMESPACE } from './ses-enums';
import { parseDurationSeconds, parseEventType } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

/** What an alarm needs of the destination whose metrics it watches (a `CloudWatchEventDestination` has it). */
export interface AlarmedEventDestination {
  readonly eventDestinationName: string;
  readonly configurationSet: { readonly configurationSetName: string };
  readonly eventTypes: readonly EventTypeName[];
  readonly dimensions: readonly { readonly name: string; readonly defaultValue: string }[];
}

export interface EventAlarmProps {
  readonly alarmName: string;
  /** The destination that publishes the watched metrics. */
  readonly destination: AlarmedEventDestination;
  /** The event counted, such as `bounce`; the destination must publish it. */
  readonly event: EventTypeName;
  /**
   * Make it a rate: `event` divided by this event (bounces per send), with metric math.
   * @default - a count of `event` per period
   */
  readonly per?: EventTypeName;
  /**
   * Values of the destination's dimensions that select the watched series; the others take their
   * default values. A CloudWatch metric is identified by all its dimensions, so every one has a value.
   * @default - every dimension at its default value (`ses:configuration-set` at the set's name)
   */
  readonly where?: Readonly<Record<string, string>>;
  /** Alarm above this count per period, or for a rate this fraction (0.03 = 3%). */
  readonly threshold: number;
  /**
   * The period: seconds, or a text such as "5m" or "1h" (10 s, 30 s or whole minutes).
   * @default 5 minutes
   */
  readonly period?: number | string;
  /**
   * How many periods in a row must breach.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /** @default - a sentence naming the set, destination, event and threshold */
  readonly description?: string;
  /** @default - none */
  readonly alarmActions?: readonly string[];
  /** @default - none */
  readonly okActions?: readonly string[];
}

/**
 * An alarm on the metrics an event destination publishes: a count of one event per period, or the
 * rate of one event per another (metric math over the same series). Refuses, at construction, an
 * event the destination does not publish or a dimension it does not have.
 */
export class EventAlarm extends Construct {
  readonly resource: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: EventAlarmProps) {
    super(scope, id);
    const { destination } = props;
    const periodSeconds =
      props.period === undefined
        ? EVENT_ALARM_DEFAULTS.periodSeconds
        : (parseDurationSeconds(props.period) ?? Number.NaN);
    const evaluationPeriods = props.evaluationPeriods ?? EVENT_ALARM_DEFAULTS.evaluationPeriods;
    SesValidationError.throwIfAny(
      this.node.path,
      eventAlarmViolations({
        destination: {
          name: destination.eventDestinationName,
          eventTypes: destination.eventTypes,
          dimensions: destination.dimensions,
        },
        event: props.event,
        per: props.per,
        where: props.where,
        threshold: props.threshold,
        periodSeconds,
        evaluationPeriods,
      }),
    );
    const event = parseEventType(props.event)!;
    const per = props.per === undefined ? undefined : parseEventType(props.per)!;
    const dimensions = seriesDimensions(
      destination.configurationSet.configurationSetName,
      destination.dimensions,
      props.where,
    );
    const where = `${destination.configurationSet.configurationSetName}/${destination.eventDestinationName}`;
    const common = {
      alarmName: props.alarmName,
      alarmDescription:
        props.description ??
        (per === undefined
          ? `More than ${props.threshold} ${EVENT_TYPE_V1_SPELLING[event]} events in ${periodSeconds} s on ${where}.`
          : `${EVENT_TYPE_V1_SPELLING[event]} per ${EVENT_TYPE_V1_SPELLING[per]} above ${formatPercent(props.threshold)} on ${where}.`),
      evaluationPeriods,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: props.threshold,
      treatMissingData: EVENT_ALARM_DEFAULTS.missingData,
      alarmActions: props.alarmActions && [...props.alarmActions],
      okActions: props.okActions && [...props.okActions],
    };
    const metric = (eventType: typeof event) => ({
      namespace: SES_NAMESPACE,
      metricName: METRIC_NAMES[eventType],
      dimensions,
      period: periodSeconds,
      stat: 'Sum',
    });
    this.resource =
      per === undefined
        ? new CloudwatchMetricAlarm(this, 'Resource', {
            ...common,
            namespace: SES_NAMESPACE,
            metricName: METRIC_NAMES[event],
            dimensions,
            statistic: 'Sum',
            period: periodSeconds,
          })
        : new CloudwatchMetricAlarm(this, 'Resource', {
            ...common,
            metricQuery: [
              { id: EVENTS_QUERY_ID, metric: metric(event), returnData: false },
              { id: 'per', metric: metric(per), returnData: false },
              {
                id: 'rate',
                expression: 'events / per',
                label: `${METRIC_NAMES[event]} per ${METRIC_NAMES[per]}`,
                returnData: true,
              },
            ],
          });
  }
}
