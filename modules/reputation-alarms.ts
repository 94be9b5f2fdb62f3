import { CloudwatchMetricAlarm } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import {
  DEFAULT_REPUTATION_THRESHOLDS,
  REPUTATION_ALARM_DEFAULTS,
  REPUTATION_DIMENSION,
  REPUTATION_METRICS,
  ReputationRate,
  formatPercent,
  reputationAlarmId,
  reputationAlarmName,
  reputationAlarmViolations,
} from './alarm-rules';
import { SES_NAMESPACE } from './ses-enums';
import { SesValidationError } from './ses-validation-error';

/** A set whose reputation is watched: its name, and whether SES publishes its rates. */
export interface ReputationSource {
  readonly configurationSetName: string;
  /** `ConfigurationSet` constructs carry it; SES publishes the rates only when it is on. */
  readonly reputationMetrics: boolean;
}

export interface ReputationAlarmsProps {
  readonly configurationSet: ReputationSource;
  /** Alarm names are `<prefix>-bounce-rate` and `<prefix>-complaint-rate`. */
  readonly alarmNamePrefix: string;
  /**
   * Alarm when the set's bounce rate reaches this fraction (0.025 = 2.5%).
   * @default 0.025 (half the 5% at which SES reviews an account)
   */
  readonly bounceRate?: number;
  /**
   * Alarm when the set's complaint rate reaches this fraction (0.0005 = 0.05%).
   * @default 0.0005 (half the 0.1% at which SES reviews an account)
   */
  readonly complaintRate?: number;
  /**
   * SNS topics to notify when an alarm fires.
   * @default - none
   */
  readonly alarmActions?: readonly string[];
  /**
   * SNS topics to notify when an alarm clears.
   * @default - none
   */
  readonly okActions?: readonly string[];
}

/**
 * Alarms on a configuration set's `Reputation.BounceRate` and `Reputation.ComplaintRate`: the rates
 * SES reviews and pauses accounts on. Hourly maximum; an hour without data keeps the state, because
 * SES publishes the rates irregularly for low-volume senders.
 */
export class ReputationAlarms extends Construct {
  /** The alarm name of one rate. */
  static alarmName(prefix: string, rate: ReputationRate): string {
    return reputationAlarmName(prefix, rate);
  }

  /** The construct ID of one rate's alarm. */
  static alarmId(rate: ReputationRate): string {
    return reputationAlarmId(rate);
  }

  readonly bounceRateAlarm: CloudwatchMetricAlarm;
  readonly complaintRateAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ReputationAlarmsProps) {
    super(scope, id);
    const setName = props.configurationSet.configurationSetName;
    SesValidationError.throwIfAny(
      this.node.path,
      reputationAlarmViolations({
        configurationSetName: setName,
        reputationMetrics: props.configurationSet.reputationMetrics,
        bounceRate: props.bounceRate,
        complaintRate: props.complaintRate,
      }),
    );
    const alarm = (rate: ReputationRate) => {
      const threshold = props[rate] ?? DEFAULT_REPUTATION_THRESHOLDS[rate];
      const what = rate === 'bounceRate' ? 'bounce' : 'complaint';
      return new CloudwatchMetricAlarm(this, ReputationAlarms.alarmId(rate), {
        alarmName: ReputationAlarms.alarmName(props.alarmNamePrefix, rate),
        alarmDescription: `SES ${what} rate of configuration set ${setName} reached ${formatPercent(threshold)}.`,
        namespace: SES_NAMESPACE,
        metricName: REPUTATION_METRICS[rate],
        dimensions: { [REPUTATION_DIMENSION]: setName },
        statistic: 'Maximum',
        period: REPUTATION_ALARM_DEFAULTS.periodSeconds,
        evaluationPeriods: REPUTATION_ALARM_DEFAULTS.evaluationPeriods,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold,
        treatMissingData: REPUTATION_ALARM_DEFAULTS.missingData,
        alarmActions: props.alarmActions && [...props.alarmActions],
        okActions: props.okActions && [...props.okActions],
      });
    };
    this.bounceRateAlarm = alarm('bounceRate');
    this.complaintRateAlarm = alarm('complaintRate');
  }
}
