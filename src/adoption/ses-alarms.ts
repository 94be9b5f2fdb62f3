/**
 * The CloudWatch alarms an account already has on SES metrics (namespace AWS/SES), read for
 * `adopt` (import the ones the environment declares under the same name, list the rest) and
 * `export` (write the ones sesform can express into the environment file).
 */
import { CloudWatchClient, DescribeAlarmsCommand, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { REPUTATION_DIMENSION, REPUTATION_METRICS, formatPercent } from '../../modules/alarm-rules';
import { SES_NAMESPACE } from '../../modules/ses-enums';

export interface ExistingAlarm {
  readonly name: string;
  /** The metric of a single-metric alarm; undefined for metric math. */
  readonly metricName?: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly threshold?: number;
  readonly statistic?: string;
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  readonly comparison?: string;
  /** The SNS topics it notifies in ALARM. */
  readonly alarmActions: readonly string[];
}

function isSesAlarm(alarm: MetricAlarm): boolean {
  return (
    alarm.Namespace === SES_NAMESPACE ||
    (alarm.Metrics ?? []).some((query) => query.MetricStat?.Metric?.Namespace === SES_NAMESPACE)
  );
}

/** Every metric alarm of the account and region that reads an SES metric. */
export async function readSesAlarms(cloudWatch: CloudWatchClient): Promise<ExistingAlarm[]> {
  const found: ExistingAlarm[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(new DescribeAlarmsCommand({ NextToken, AlarmTypes: ['MetricAlarm'] }));
    for (const alarm of (page.MetricAlarms ?? []).filter(isSesAlarm))
      found.push({
        name: alarm.AlarmName ?? '',
        ...(alarm.MetricName ? { metricName: alarm.MetricName } : {}),
        dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((entry) => [entry.Name ?? '', entry.Value ?? ''])),
        ...(alarm.Threshold === undefined ? {} : { threshold: alarm.Threshold }),
        ...(alarm.Statistic ? { statistic: alarm.Statistic } : {}),
        ...(alarm.Period ? { periodSeconds: alarm.Period } : {}),
        ...(alarm.EvaluationPeriods ? { evaluationPeriods: alarm.EvaluationPeriods } : {}),
        ...(alarm.ComparisonOperator ? { comparison: alarm.ComparisonOperator } : {}),
        alarmActions: alarm.AlarmActions ?? [],
      });
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/** A set's reputation thresholds from its existing alarms, as an environment file writes them. */
export function reputationThresholdsOf(
  alarms: readonly ExistingAlarm[],
  setName: string,
): { bounceRate?: string; complaintRate?: string } | undefined {
  const thresholds: { bounceRate?: string; complaintRate?: string } = {};
  for (const rate of Object.keys(REPUTATION_METRICS) as (keyof typeof REPUTATION_METRICS)[]) {
    // The lowest threshold of the set's alarms on the rate: the earliest warning someone chose.
    const chosen = alarms
      .filter(
        (alarm) =>
          alarm.metricName === REPUTATION_METRICS[rate] &&
          alarm.dimensions[REPUTATION_DIMENSION] === setName &&
          alarm.threshold !== undefined &&
          alarm.threshold > 0 &&
          alarm.threshold < 1,
      )
      .map((alarm) => alarm.threshold!)
      .sort((a, b) => a - b)[0];
    if (chosen !== undefined) thresholds[rate] = formatPercent(chosen);
  }
  return Object.keys(thresholds).length > 0 ? thresholds : undefined;
}

/** The SNS topic most of the alarms notify, with its region written as "{region}" (one topic name per region). */
export function alarmTopicOf(alarms: readonly ExistingAlarm[]): string | undefined {
  const topics = alarms.flatMap((alarm) => alarm.alarmActions).filter((arn) => arn.split(':')[2] === 'sns');
  const times = (arn: string) => topics.filter((other) => other === arn).length;
  const topic = [...new Set(topics)].sort((a, b) => times(b) - times(a) || a.localeCompare(b))[0];
  if (topic === undefined) return undefined;
  const parts = topic.split(':');
  return [...parts.slice(0, 3), '{region}', ...parts.slice(4)].join(':');
}
