/**
 * The `monitoring` fields of an environment file: the environment's alarm topic, reputation alarm
 * thresholds and dashboard, and per configuration set its own thresholds and event alarms. The rules
 * that need the set's destinations (an alarm on an event or dimension the destination does not
 * publish) run beside the set; the SES and CloudWatch rules themselves are in modules/alarm-rules.ts.
 */
import { z } from 'zod';
import { didYouMean } from '../../modules/did-you-mean';
import { expandDimensionSets } from '../../modules/dimension-sets';
import {
  AlarmedDestination,
  EVENT_ALARM_DEFAULTS,
  checkAlarmPeriod,
  eventAlarmListViolations,
  eventAlarmViolations,
  parsePercent,
  reputationAlarmViolations,
  subscriptionListViolations,
} from '../../modules/alarm-rules';
import { RuleViolation, checkNamePart, parseDurationSeconds, prefixed, quote } from '../../modules/ses-rules';

/** A rate threshold written as a percentage: "2.5%". */
const Percent = z
  .string({ error: () => 'write a rate as a percentage in quotes, such as "2.5%".' })
  .superRefine((text, context) => {
    const fraction = parsePercent(text);
    if (fraction === undefined)
      context.addIssue({ code: 'custom', message: `${quote(text)} is not a percentage: write a rate such as "2.5%".` });
    else if (!(fraction > 0 && fraction < 1))
      context.addIssue({
        code: 'custom',
        message: `a rate threshold must be above 0% and below 100%; found ${quote(text)}.`,
      });
  });

const ReputationThresholds = z.strictObject({
  // Defaults: modules/alarm-rules.ts DEFAULT_REPUTATION_THRESHOLDS (half of SES's review rates).
  bounceRate: Percent.optional(),
  complaintRate: Percent.optional(),
});

/**
 * `false` turns reputation alarms off; an object sets thresholds (missing ones take the defaults).
 * Checked by hand rather than as a zod union, whose error would be a bare "Invalid input".
 */
const Reputation = z.custom<false | z.output<typeof ReputationThresholds>>().superRefine((value, context) => {
  if (value === false) return;
  if (typeof value !== 'object' || value === null) {
    context.addIssue({
      code: 'custom',
      message: `write false (no reputation alarms) or thresholds such as { bounceRate: "2.5%", complaintRate: "0.05%" }; found ${quote(value)}.`,
    });
    return;
  }
  for (const issue of ReputationThresholds.safeParse(value).error?.issues ?? [])
    context.addIssue({ code: 'custom', path: [...issue.path] as (string | number)[], message: issue.message });
});

const AlarmPeriod = z
  .union([z.number(), z.string()], { error: () => 'write the period as seconds (300) or a text such as "5m" or "1h".' })
  .superRefine((value, context) => {
    const seconds = parseDurationSeconds(value);
    const message =
      seconds === undefined
        ? `${quote(value)} is not a duration: write seconds (300) or a text such as "5m" or "1h".`
        : checkAlarmPeriod(seconds);
    if (message !== undefined) context.addIssue({ code: 'custom', message });
  });

const EventAlarmSchema = z.strictObject({
  name: z.string().superRefine((name, context) => {
    const message = checkNamePart(name, 'alarm name');
    if (message !== undefined) context.addIssue({ code: 'custom', message });
  }),
  /** The destination as SES holds it (for dimension sets, one of the expanded names). */
  destination: z.string(),
  event: z.string(),
  per: z.string().optional(),
  where: z.record(z.string(), z.string()).optional(),
  /** A count of events per period, or with `per` a percentage ("3%"). */
  threshold: z.union([z.number(), z.string()], {
    error: (issue) =>
      `a threshold is a count such as 5 or, with "per", a percentage such as "3%"; found ${quote(issue.input)}${typeof issue.input === 'number' ? ' (not a finite number)' : ''}.`,
  }),
  period: AlarmPeriod.optional(),
  evaluationPeriods: z.number().int().min(1).optional(),
  description: z.string().max(1024).optional(),
});

export const SetMonitoringSchema = z.strictObject({
  reputation: Reputation.optional(),
  alarms: z.array(EventAlarmSchema).optional(),
});

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:(\{region\}|[a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):[A-Za-z0-9_-]{1,256}$/;

const Subscription = z.union(
  [
    z.strictObject({ email: z.string() }).transform(({ email }) => ({ protocol: 'email' as const, endpoint: email })),
    z.strictObject({ https: z.string() }).transform(({ https }) => ({ protocol: 'https' as const, endpoint: https })),
  ],
  { error: () => 'a subscription is { email: ADDRESS } or { https: URL }.' },
);

export const EnvironmentMonitoringSchema = z.strictObject({
  notify: z
    .strictObject({
      // An existing topic instead of the one sesform creates; "{region}" stands for each stack's region.
      topicArn: z
        .string()
        .regex(TOPIC_ARN, {
          error: (issue) =>
            `${quote(issue.input)} is not an SNS topic ARN such as "arn:aws:sns:{region}:123456789012:ses-alarms" ("{region}" stands for each region of the environment).`,
        })
        .optional(),
      // A topicArn in another account than the environment's: the alarms' notifications leave the account.
      allowCrossAccount: z.boolean().optional(),
      subscriptions: z
        .array(Subscription)
        .superRefine((subscriptions, context) => {
          for (const found of subscriptionListViolations(subscriptions))
            context.addIssue({ code: 'custom', path: [...found.path], message: found.message });
        })
        .optional(),
      // Tell the subscribers when an alarm clears, too.
      okActions: z.boolean().default(true),
    })
    .optional(),
  reputation: Reputation.optional(),
  dashboard: z.boolean().default(true),
});

type SetMonitoring = z.output<typeof SetMonitoringSchema>;
type EnvironmentMonitoring = z.output<typeof EnvironmentMonitoringSchema>;

interface DeclaredDestination {
  readonly name: string;
  readonly enabled?: boolean;
  readonly eventTypes: readonly string[];
  /** Absent for an SNS, EventBridge, Firehose or Pinpoint destination: no metric to alarm on. */
  readonly cloudWatch?: {
    readonly dimensions: readonly { name: string; source: string; defaultValue: string }[];
    readonly dimensionSets?: string[][];
  };
}

/**
 * The CloudWatch destinations of a set as SES holds them (dimension sets expanded), which alarms may
 * name: only they publish metrics.
 */
export function alarmableDestinations(destinations: readonly DeclaredDestination[]): Map<string, AlarmedDestination> {
  const found = new Map<string, AlarmedDestination>();
  for (const destination of destinations) {
    if (destination.cloudWatch === undefined) continue;
    const { dimensions, dimensionSets } = destination.cloudWatch;
    const expanded = dimensionSets
      ? expandDimensionSets(destination.name, dimensions, dimensionSets)
      : [{ name: destination.name, dimensions }];
    for (const entry of expanded)
      found.set(entry.name, { name: entry.name, eventTypes: destination.eventTypes, dimensions: entry.dimensions });
  }
  return found;
}

/** An event alarm's threshold as CloudWatch compares it: a count, or with `per` a fraction. */
export function alarmThreshold(alarm: { per?: string; threshold: number | string }): number | undefined {
  if (alarm.per === undefined) return typeof alarm.threshold === 'number' ? alarm.threshold : undefined;
  return typeof alarm.threshold === 'string' ? parsePercent(alarm.threshold) : undefined;
}

/** The rules of a set's monitoring that need its destinations and reputation setting. */
export function setMonitoringViolations(set: {
  name: string;
  reputationMetrics?: boolean;
  eventDestinations: readonly DeclaredDestination[];
  monitoring?: SetMonitoring;
}): RuleViolation[] {
  const monitoring = set.monitoring;
  if (monitoring === undefined) return [];
  const found: RuleViolation[] = [];
  if (monitoring.reputation !== undefined && monitoring.reputation !== false)
    found.push(
      ...prefixed(
        ['monitoring', 'reputation'],
        reputationAlarmViolations({ configurationSetName: set.name, reputationMetrics: set.reputationMetrics ?? true }),
      ),
    );
  const destinations = alarmableDestinations(set.eventDestinations);
  const alarms = monitoring.alarms ?? [];
  found.push(
    ...prefixed(
      ['monitoring', 'alarms'],
      eventAlarmListViolations(
        alarms.map((alarm) => alarm.name),
        set.name,
      ),
    ),
  );
  alarms.forEach((alarm, index) => {
    const at = ['monitoring', 'alarms', index];
    const destination = destinations.get(alarm.destination);
    if (destination === undefined) {
      const names = [...destinations.keys()];
      const other = set.eventDestinations.find((declared) => declared.name === alarm.destination);
      found.push({
        path: [...at, 'destination'],
        message:
          other !== undefined
            ? `destination ${quote(alarm.destination)} publishes to ${other.cloudWatch === undefined ? 'a target other than CloudWatch' : 'CloudWatch'} and has no metrics to alarm on: name a CloudWatch destination${names.length > 0 ? ` (${names.join(', ')})` : ''}.`
            : `configuration set ${quote(set.name)} has no CloudWatch destination ${quote(alarm.destination)}${names.length > 0 ? ` (it has ${names.join(', ')})` : ''}.${didYouMean(alarm.destination, names)}`,
      });
      return;
    }
    if (
      set.eventDestinations.some(
        (declared) => declared.enabled === false && alarmableDestinations([declared]).has(alarm.destination),
      )
    )
      found.push({
        path: [...at, 'destination'],
        message: `destination ${quote(alarm.destination)} is disabled (enabled: false) and publishes nothing, so this alarm would never see data: enable it or drop the alarm.`,
      });
    const threshold = alarmThreshold(alarm);
    if (threshold === undefined) {
      found.push({
        path: [...at, 'threshold'],
        message:
          alarm.per === undefined
            ? `without "per" the threshold is a number of events per period, such as 50; found ${quote(alarm.threshold)}.`
            : `with "per" the threshold is a rate, written as a percentage such as "3%"; found ${quote(alarm.threshold)}.`,
      });
      return;
    }
    const periodSeconds =
      alarm.period === undefined ? EVENT_ALARM_DEFAULTS.periodSeconds : parseDurationSeconds(alarm.period);
    if (periodSeconds === undefined) return; // reported on the field itself
    found.push(
      ...prefixed(
        at,
        eventAlarmViolations({
          destination,
          event: alarm.event,
          per: alarm.per,
          where: alarm.where,
          threshold,
          periodSeconds,
          evaluationPeriods: alarm.evaluationPeriods ?? EVENT_ALARM_DEFAULTS.evaluationPeriods,
        }),
      ),
    );
  });
  return found;
}

/** The rules of the environment's monitoring against its regions and sets. */
export function environmentMonitoringViolations(environment: {
  accountId: string;
  regions: readonly string[];
  monitoring?: EnvironmentMonitoring;
  configurationSets: readonly { monitoring?: SetMonitoring }[];
}): RuleViolation[] {
  const { monitoring } = environment;
  if (monitoring === undefined)
    return environment.configurationSets.flatMap((set, index) =>
      set.monitoring === undefined
        ? []
        : [
            {
              path: ['configurationSets', index, 'monitoring'],
              message:
                'this set declares monitoring, but the environment has no monitoring block: add "monitoring: {}" (or with notify and reputation settings) to the environment, which creates the alarm topic and dashboard.',
            },
          ],
    );
  const found: RuleViolation[] = [];
  const notify = monitoring.notify;
  const region = notify?.topicArn === undefined ? undefined : TOPIC_ARN.exec(notify.topicArn)?.[1];
  if (region !== undefined && region !== '{region}' && environment.regions.some((own) => own !== region))
    found.push({
      path: ['monitoring', 'notify', 'topicArn'],
      message: `the topic is in ${region}, but CloudWatch alarms notify only topics in their own region and this environment also has ${environment.regions.filter((own) => own !== region).join(', ')}: write "{region}" in place of the region and create the topic in each.`,
    });
  const topicAccount = notify?.topicArn === undefined ? undefined : TOPIC_ARN.exec(notify.topicArn)?.[2];
  if (topicAccount !== undefined && topicAccount !== environment.accountId && notify?.allowCrossAccount !== true)
    found.push({
      path: ['monitoring', 'notify', 'topicArn'],
      message: `the topic is in account ${topicAccount}, not this environment's (${environment.accountId}): every alarm notification would go to another account. If that is intended, add "allowCrossAccount: true" under notify; the plan then names the account on each alarm.`,
    });
  if (notify?.topicArn !== undefined && (notify.subscriptions ?? []).length > 0)
    found.push({
      path: ['monitoring', 'notify', 'subscriptions'],
      message:
        'subscriptions are created on the topic sesform creates; an existing topic (topicArn) keeps the subscriptions its owner manages: remove one of the two.',
    });
  return found;
}

/** The topic ARN for one region ("{region}" resolved). */
export function topicArnIn(topicArn: string, region: string): string {
  return topicArn.replace('{region}', region);
}
