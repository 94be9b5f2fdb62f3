/**
 * The rules of alarms on SES metrics: what SES publishes (reputation rates only for sets with
 * reputation metrics on; event counts only for the event types and dimensions a destination has),
 * CloudWatch's limits on periods and evaluation windows, and the thresholds SES itself applies.
 * Like ses-rules.ts, each check returns violations relative to the object it checked.
 */
import { didYouMean } from './did-you-mean';
import { carriesValue, defaultAppears, ruleOf } from './publishing-rules';
import { CloudWatchDimensionSource, EmailSendingEvent, EVENT_TYPE_V1_SPELLING } from './ses-enums';
import {
  RuleViolation,
  checkDimensionValue,
  duplicateNameViolations,
  parseDimensionSource,
  parseEventType,
  quote,
  violation,
} from './ses-rules';

/** The per-set reputation metrics SES publishes when `reputationMetrics` is on: rates from 0 to 1. */
export const REPUTATION_METRICS = {
  bounceRate: 'Reputation.BounceRate',
  complaintRate: 'Reputation.ComplaintRate',
} as const;
export type ReputationRate = keyof typeof REPUTATION_METRICS;

/** The dimension of a set's reputation metrics (an account's own rates have none). */
export const REPUTATION_DIMENSION = 'ses:configuration-set';

/**
 * The rates at which SES places an account under review (SES Developer Guide, "Reputation metrics
 * messages": https://docs.aws.amazon.com/ses/latest/dg/reputationdashboardmessages.html): a bounce rate
 * of 5% and a complaint rate of 0.1%. At 10% and 0.5% it may pause sending.
 */
export const SES_REVIEW_RATES: Readonly<Record<ReputationRate, number>> = { bounceRate: 0.05, complaintRate: 0.001 };

/**
 * The default alarm thresholds: half the review rates, so that a team hears of a rising rate well
 * before SES reviews the account, as the SES guide advises ("Creating reputation monitoring alarms
 * using CloudWatch": https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-cloudwatch-alarm.html).
 */
export const DEFAULT_REPUTATION_THRESHOLDS: Readonly<Record<ReputationRate, number>> = {
  bounceRate: 0.025,
  complaintRate: 0.0005,
};

/**
 * SES computes the rates over a representative volume of recent mail, not per period, so they move
 * slowly and arrive irregularly for low-volume senders: one hourly maximum decides, and an hour without
 * a data point keeps the alarm's state (neither raises nor clears it).
 */
export const REPUTATION_ALARM_DEFAULTS = { periodSeconds: 3600, evaluationPeriods: 1, missingData: 'ignore' } as const;

/** Event alarms: five-minute sums; no events in a period is a quiet period, not a breach. */
export const EVENT_ALARM_DEFAULTS = { periodSeconds: 300, evaluationPeriods: 1, missingData: 'notBreaching' } as const;

/** A rate written as a percentage ("2.5%") as a fraction (0.025); undefined when it is not one. */
export function parsePercent(text: string): number | undefined {
  // Exactly as written in the docs ("2.5%"): no spaces, which a value copied into descriptions would keep.
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text);
  return match === null ? undefined : Number(match[1]) / 100;
}

/** A fraction as a percentage for people: 0.025 -> "2.5%". */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/** CloudWatch takes periods of 10 s, 30 s or whole minutes. */
export function checkAlarmPeriod(seconds: number): string | undefined {
  if (Number.isInteger(seconds) && (seconds === 10 || seconds === 30 || (seconds >= 60 && seconds % 60 === 0)))
    return undefined;
  return `an alarm period must be 10 s, 30 s or a whole number of minutes (such as "5m" or "1h"); found ${quote(seconds)} s.`;
}

/**
 * CloudWatch limits how far back an alarm looks: periods x evaluation periods at most one day for
 * periods under an hour, seven days for hourly or longer periods (PutMetricAlarm, EvaluationPeriods).
 */
export function evaluationWindowViolations(periodSeconds: number, evaluationPeriods: number): RuleViolation[] {
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1)
    return violation(
      ['evaluationPeriods'],
      `evaluation periods must be a whole number of at least 1; found ${quote(evaluationPeriods)}.`,
    );
  const limit = periodSeconds >= 3600 ? 7 * 86_400 : 86_400;
  const window = periodSeconds * evaluationPeriods;
  return violation(
    ['evaluationPeriods'],
    window > limit
      ? `${evaluationPeriods} periods of ${periodSeconds} s look back ${window} s; CloudWatch allows at most ${limit} s (${limit === 86_400 ? 'one day for periods under an hour' : 'seven days'}).`
      : undefined,
  );
}

/** What a reputation alarm needs from its set and thresholds. */
export interface ReputationAlarmRuleInput {
  readonly configurationSetName: string;
  /** Whether the set publishes reputation metrics (SES publishes nothing to alarm on otherwise). */
  readonly reputationMetrics: boolean;
  readonly bounceRate?: number;
  readonly complaintRate?: number;
}

export function reputationAlarmViolations(input: ReputationAlarmRuleInput): RuleViolation[] {
  if (!input.reputationMetrics)
    return [
      {
        path: [],
        message: `configuration set ${quote(input.configurationSetName)} has reputationMetrics: false, so SES publishes no ${REPUTATION_METRICS.bounceRate} or ${REPUTATION_METRICS.complaintRate} for it and its alarms would never see data: turn reputationMetrics on, or drop the reputation alarms of this set (reputation: false).`,
      },
    ];
  return (Object.keys(REPUTATION_METRICS) as ReputationRate[]).flatMap((rate) => {
    const threshold = input[rate];
    if (threshold === undefined || (threshold > 0 && threshold < 1)) return [];
    return violation(
      [rate],
      `a ${rate === 'bounceRate' ? 'bounce' : 'complaint'} rate threshold must be above 0% and below 100%; found ${formatPercent(threshold)} (SES reviews an account at ${formatPercent(SES_REVIEW_RATES[rate])}).`,
    );
  });
}

/** The destination an event alarm watches, as far as the rules need it. */
export interface AlarmedDestination {
  readonly name: string;
  readonly eventTypes: readonly string[];
  /** `source` in either spelling (message tag when absent); `defaultValue` as declared. */
  readonly dimensions: readonly { readonly name: string; readonly source?: string; readonly defaultValue?: string }[];
}

export interface EventAlarmRuleInput {
  readonly destination: AlarmedDestination;
  /** The event counted, in either spelling. */
  readonly event: string;
  /** For a rate alarm: the event it is divided by (`bounce` per `send`). */
  readonly per?: string;
  /** Dimension values of the watched series; the others take their default values. */
  readonly where?: Readonly<Record<string, string>>;
  /** A count, or for a rate alarm a fraction. */
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
}

/**
 * The dimensions of the series an alarm watches: every dimension of the destination (a CloudWatch
 * metric is identified by all of them), at the `where` value, else the set's own name for
 * `ses:configuration-set` (what SES publishes there), else the default value.
 */
export function seriesDimensions(
  setName: string,
  dimensions: readonly { readonly name: string; readonly defaultValue: string }[],
  where: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return Object.fromEntries(
    dimensions.map((dimension) => [
      dimension.name,
      where[dimension.name] ?? (dimension.name === REPUTATION_DIMENSION ? setName : dimension.defaultValue),
    ]),
  );
}

/** Spellings of an event type for messages: "bounce (BOUNCE)". */
function published(destination: AlarmedDestination): string {
  const spelled = destination.eventTypes.map((type) => {
    const parsed = parseEventType(type);
    return parsed === undefined ? type : EVENT_TYPE_V1_SPELLING[parsed];
  });
  return spelled.join(', ');
}

function eventViolations(field: string, word: string, destination: AlarmedDestination): RuleViolation[] {
  const event = parseEventType(word);
  const allWords = [...Object.values(EmailSendingEvent), ...Object.values(EVENT_TYPE_V1_SPELLING)];
  if (event === undefined)
    return violation([field], `${quote(word)} is not an SES event type.${didYouMean(word, allWords)}`);
  const publishedTypes = destination.eventTypes.map(parseEventType);
  if (publishedTypes.includes(event)) return [];
  return violation(
    [field],
    `destination ${quote(destination.name)} does not publish ${EVENT_TYPE_V1_SPELLING[event]} events (it publishes ${published(destination)}), so CloudWatch has no such series to alarm on: add ${EVENT_TYPE_V1_SPELLING[event]} to its eventTypes or watch another destination.`,
  );
}

/**
 * What the publishing rules (publishing-rules.ts) say of the watched series: a dimension whose
 * default never appears on the event (SES fills auto-tags on every message) needs its value in
 * `where`, except ses:configuration-set, whose one value is the set's name (see seriesDimensions);
 * a dimension that the event never carries (a link tag on anything but a click) has only its default.
 */
const carriedBy = (dimension: { name: string; source: CloudWatchDimensionSource }) =>
  ruleOf(dimension)
    .carriedBy.map((event) => EVENT_TYPE_V1_SPELLING[event])
    .join(', ');

function publishedSeriesViolations(input: EventAlarmRuleInput): RuleViolation[] {
  const events = [input.event, input.per]
    .map((word) => (word === undefined ? undefined : parseEventType(word)))
    .filter((event): event is EmailSendingEvent => event !== undefined);
  const found: RuleViolation[] = [];
  for (const dimension of input.destination.dimensions) {
    const source = parseDimensionSource(dimension.source ?? CloudWatchDimensionSource.MESSAGE_TAG);
    if (source === undefined) continue; // refused where the destination is declared
    const published = { name: dimension.name, source };
    const chosen = input.where?.[dimension.name];
    const defaultless = events.find((event) => !defaultAppears(published, event));
    if (chosen === undefined && defaultless !== undefined && dimension.name !== REPUTATION_DIMENSION)
      found.push({
        path: ['where'],
        message: `SES fills ${quote(dimension.name)} on every message, so the series at its default value never has data: give the value to watch, such as where: { ${quote(dimension.name)}: ${dimension.name === 'ses:from-domain' ? '"example.com"' : '"VALUE"'} }.`,
      });
    const uncarried = events.find((event) => !carriesValue(published, event));
    if (chosen !== undefined && uncarried !== undefined && chosen !== dimension.defaultValue)
      found.push({
        path: ['where', dimension.name],
        message: `${quote(dimension.name)} takes a value on ${carriedBy(published)} events only; on ${EVENT_TYPE_V1_SPELLING[uncarried]} events SES publishes its default${dimension.defaultValue === undefined ? '' : ` ${quote(dimension.defaultValue)}`}, so the series at ${quote(chosen)} never has data: watch ${carriedBy(published)} events, or leave ${quote(dimension.name)} out of where.`,
      });
  }
  return found;
}

export function eventAlarmViolations(input: EventAlarmRuleInput): RuleViolation[] {
  const { destination } = input;
  const found = eventViolations('event', input.event, destination);
  if (input.per !== undefined) {
    found.push(...eventViolations('per', input.per, destination));
    if (parseEventType(input.per) !== undefined && parseEventType(input.per) === parseEventType(input.event))
      found.push({
        path: ['per'],
        message: `a rate of ${quote(input.event)} per itself is always 100%: divide by another event, such as send.`,
      });
  }
  const dimensionNames = destination.dimensions.map((dimension) => dimension.name);
  found.push(...publishedSeriesViolations(input));
  for (const [name, value] of Object.entries(input.where ?? {})) {
    if (!dimensionNames.includes(name)) {
      found.push({
        path: ['where', name],
        message: `destination ${quote(destination.name)} has no dimension ${quote(name)} (it has ${dimensionNames.join(', ')}), so no series carries that value.${didYouMean(name, dimensionNames)}`,
      });
      continue;
    }
    found.push(...violation(['where', name], checkDimensionValue(value)));
  }
  if (input.per === undefined && !(Number.isFinite(input.threshold) && input.threshold >= 0))
    found.push({
      path: ['threshold'],
      message: `a count threshold must be a number of events, 0 or more; found ${quote(input.threshold)}.`,
    });
  if (input.per !== undefined && !(input.threshold > 0 && input.threshold < 1))
    found.push({
      path: ['threshold'],
      message: `a rate threshold must be above 0% and below 100%; found ${formatPercent(input.threshold)}.`,
    });
  found.push(...violation(['period'], checkAlarmPeriod(input.periodSeconds)));
  if (checkAlarmPeriod(input.periodSeconds) === undefined)
    found.push(...evaluationWindowViolations(input.periodSeconds, input.evaluationPeriods));
  return found;
}

/** Alarm names are unique within their set. */
export function eventAlarmListViolations(names: readonly string[], setName: string): RuleViolation[] {
  return duplicateNameViolations(names, 'alarm', `configuration set ${quote(setName)}`);
}

/** Ways an alarm topic notifies people. */
export type SubscriptionProtocol = 'email' | 'https';

export interface SubscriptionRuleInput {
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
}

/** The construct ID of a subscription: the same endpoint keeps its ID (and resource) wherever it is listed. */
export function subscriptionId(subscription: SubscriptionRuleInput): string {
  return `${subscription.protocol} ${subscription.endpoint.replace(/\//g, '|')}`;
}

/** The alarm name of one reputation rate under a name prefix. */
export function reputationAlarmName(prefix: string, rate: ReputationRate): string {
  return `${prefix}-${rate === 'bounceRate' ? 'bounce' : 'complaint'}-rate`;
}

/** The construct ID of one reputation rate's alarm. */
export function reputationAlarmId(rate: ReputationRate): string {
  return rate === 'bounceRate' ? 'BounceRate' : 'ComplaintRate';
}

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Each subscription's rules, and no endpoint twice (SNS holds one subscription per endpoint); paths are list indexes. */
export function subscriptionListViolations(subscriptions: readonly SubscriptionRuleInput[]): RuleViolation[] {
  const seen = new Set<string>();
  return subscriptions.flatMap((subscription, index) => {
    const found = subscriptionViolations(subscription).map((problem) => ({ ...problem, path: [index] }));
    const key = `${subscription.protocol} ${subscription.endpoint}`;
    if (seen.has(key))
      found.push({
        path: [index],
        message: `${subscription.protocol} ${quote(subscription.endpoint)} is listed twice: SNS holds one subscription per endpoint.`,
      });
    seen.add(key);
    return found;
  });
}

export function subscriptionViolations(subscription: SubscriptionRuleInput): RuleViolation[] {
  if (subscription.protocol === 'email')
    return violation(
      [],
      EMAIL.test(subscription.endpoint)
        ? undefined
        : `${quote(subscription.endpoint)} is not an email address such as "ses-oncall@example.com".`,
    );
  let url: URL | undefined;
  try {
    url = new URL(subscription.endpoint);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'https:' && url.hostname !== '') return [];
  const hint = url?.protocol === 'http:' ? ' SNS would post alarm messages in clear text over http: use https.' : '';
  return violation(
    [],
    `${quote(subscription.endpoint)} is not an https URL such as "https://hooks.example.com/ses".${hint}`,
  );
}

/** The ID of a rate alarm's counted-event query (its metric math divides it by the `per` query). */
export const EVENTS_QUERY_ID = 'events';
