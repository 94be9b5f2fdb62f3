/**
 * What SES publishes for a CloudWatch dimension on each event type: the one table that the cost
 * model, validate's warnings, the sender contract, verify's expectations, the alarm rules and the
 * emulator (through `src/emulator/publishing_rules.json`, generated from it) all read.
 *
 * Sources, Amazon SES Developer Guide: "Set up a CloudWatch event destination" (values from message
 * tags, email headers or link tags; the default value when a message has none), "Tagging links" in
 * the event publishing guide (link tags reach Click events only) and "How event publishing works"
 * (the auto-tags SES adds to every message).
 *
 * Pure data and small functions: no cdktf, so that validate, cost and the emulator's generator load
 * it cheaply.
 */
import { CloudWatchDimensionSource, EmailSendingEvent, SES_AUTO_TAGS, SesAutoTag, isAutoTag } from './ses-enums';

/** Where a dimension's value comes from: a value source, or one of SES's auto-tags (a message tag SES sets). */
export type DimensionOrigin =
  | CloudWatchDimensionSource.MESSAGE_TAG
  | CloudWatchDimensionSource.EMAIL_HEADER
  | CloudWatchDimensionSource.LINK_TAG
  | SesAutoTag;

/** How many distinct values an origin has on an event that carries it, before the default. */
export type ValueCount =
  /** The dimension's `expectedValues`, else DEFAULT_EXPECTED_VALUES (with a warning). */
  | { readonly kind: 'declared' }
  /** Exactly this many, whatever is declared. */
  | { readonly kind: 'fixed'; readonly values: number; readonly why: string }
  /** An estimate that `expectedValues` overrides. */
  | { readonly kind: 'estimate'; readonly values: number; readonly why: string; readonly highCardinality: boolean };

export interface OriginRule {
  /** The event types whose data points carry the origin's own value; on the others SES writes the default. */
  readonly carriedBy: readonly EmailSendingEvent[];
  /** Whether a message can lack the value on an event that carries it, so that the default appears there too. */
  readonly defaultAppears: boolean;
  readonly count: ValueCount;
}

/** The estimate for a dimension that declares no `expectedValues` and has no documented figure. */
export const DEFAULT_EXPECTED_VALUES = 10;

const EVERY_EVENT: readonly EmailSendingEvent[] = Object.values(EmailSendingEvent);
const DECLARED: ValueCount = { kind: 'declared' };

/** SES sets every auto-tag on every message, so an auto-tag dimension never takes its default. */
function autoTag(count: ValueCount): OriginRule {
  return { carriedBy: EVERY_EVENT, defaultAppears: false, count };
}

function estimate(values: number, why: string, highCardinality = false): ValueCount {
  return { kind: 'estimate', values, why, highCardinality };
}

/** The publishing rule table. */
export const PUBLISHING_RULES: Readonly<Record<DimensionOrigin, OriginRule>> = {
  // Every event of a message carries its tags and headers; a message without the tag or header gets the default.
  [CloudWatchDimensionSource.MESSAGE_TAG]: { carriedBy: EVERY_EVENT, defaultAppears: true, count: DECLARED },
  [CloudWatchDimensionSource.EMAIL_HEADER]: { carriedBy: EVERY_EVENT, defaultAppears: true, count: DECLARED },
  // Only a click has a link; a click on a link without the tag gets the default.
  [CloudWatchDimensionSource.LINK_TAG]: {
    carriedBy: [EmailSendingEvent.CLICK],
    defaultAppears: true,
    count: DECLARED,
  },
  'ses:configuration-set': autoTag({
    kind: 'fixed',
    values: 1,
    why: 'the name of the set the destination belongs to: every event reaching it was sent through that set',
  }),
  'ses:caller-identity': autoTag(
    estimate(20, 'one per IAM identity that sends (each service or role with its own credentials)', true),
  ),
  'ses:from-domain': autoTag(
    estimate(50, 'one per domain in From addresses (brands, tenants, subdomains per product)', true),
  ),
  'ses:source-ip': autoTag(
    estimate(100, 'one per address your API calls come from (hosts, NAT gateways; autoscaling renews them)', true),
  ),
  'ses:outgoing-ip': autoTag(
    estimate(
      50,
      "one per SES sending address that delivers your mail (SES's shared pools or your dedicated IPs)",
      true,
    ),
  ),
  'ses:source-tls-version': autoTag(estimate(3, 'the TLS versions your clients negotiate with SES (1.0 to 1.3)')),
  'ses:outgoing-tls-version': autoTag(estimate(3, 'the TLS versions receiving servers negotiate with SES')),
};

/** A dimension as the rules see it: its name decides whether it is an auto-tag (always a message tag). */
export interface PublishedDimension {
  readonly name: string;
  readonly source: CloudWatchDimensionSource;
  readonly expectedValues?: number;
}

export function originOf(dimension: Pick<PublishedDimension, 'name' | 'source'>): DimensionOrigin {
  if (dimension.source === CloudWatchDimensionSource.MESSAGE_TAG && isAutoTag(dimension.name)) return dimension.name;
  return dimension.source;
}

export function ruleOf(dimension: Pick<PublishedDimension, 'name' | 'source'>): OriginRule {
  return PUBLISHING_RULES[originOf(dimension)];
}

/** Whether a data point of this event type can carry the dimension's own value (otherwise only its default). */
export function carriesValue(
  dimension: Pick<PublishedDimension, 'name' | 'source'>,
  event: EmailSendingEvent,
): boolean {
  return ruleOf(dimension).carriedBy.includes(event);
}

/** Whether the default value can appear on this event type's data points. */
export function defaultAppears(
  dimension: Pick<PublishedDimension, 'name' | 'source'>,
  event: EmailSendingEvent,
): boolean {
  return !carriesValue(dimension, event) || ruleOf(dimension).defaultAppears;
}

/** Distinct values of the dimension's own (the default not counted) on an event that carries it, and where the figure comes from. */
export function distinctValues(dimension: PublishedDimension): {
  values: number;
  basis: 'declared' | 'fixed' | 'estimate' | 'default';
} {
  const { count } = ruleOf(dimension);
  if (count.kind === 'fixed') return { values: count.values, basis: 'fixed' };
  if (dimension.expectedValues !== undefined) return { values: dimension.expectedValues, basis: 'declared' };
  if (count.kind === 'estimate') return { values: count.values, basis: 'estimate' };
  return { values: DEFAULT_EXPECTED_VALUES, basis: 'default' };
}

/** The values SES can publish for the dimension on an event type: 1 where only its default is possible. */
export function valuesOn(dimension: PublishedDimension, event: EmailSendingEvent): number {
  if (!carriesValue(dimension, event)) return 1;
  return distinctValues(dimension).values + (ruleOf(dimension).defaultAppears ? 1 : 0);
}

/** The metrics of one event type: each dimension's values on it, and their product. */
export interface EventTypeMetrics {
  readonly eventType: EmailSendingEvent;
  readonly factors: readonly { readonly name: string; readonly values: number }[];
  readonly metrics: number;
}

/** The terms of a destination's metric count: one per event type (repeats counted once), in the order declared. */
export function metricsByEventType(
  eventTypes: readonly EmailSendingEvent[],
  dimensions: readonly PublishedDimension[],
): EventTypeMetrics[] {
  return [...new Set(eventTypes)].map((eventType) => {
    const factors = dimensions.map((dimension) => ({ name: dimension.name, values: valuesOn(dimension, eventType) }));
    return { eventType, factors, metrics: factors.reduce((product, factor) => product * factor.values, 1) };
  });
}

/**
 * The custom metrics a destination can create: summed over its event types, the product over its
 * dimensions of the values SES can publish for each on that event type. 0 when disabled.
 */
export function metricsOf(
  enabled: boolean,
  eventTypes: readonly EmailSendingEvent[],
  dimensions: readonly PublishedDimension[],
): number {
  if (!enabled) return 0;
  return metricsByEventType(eventTypes, dimensions).reduce((sum, term) => sum + term.metrics, 0);
}

/** Auto-tags whose values grow with senders, domains or addresses. */
export const HIGH_CARDINALITY_AUTO_TAGS: readonly SesAutoTag[] = SES_AUTO_TAGS.filter((name) => {
  const { count } = PUBLISHING_RULES[name];
  return count.kind === 'estimate' && count.highCardinality;
});

/** The table as the emulator reads it (`src/emulator/publishing_rules.json`): per origin and event type. */
export function publishingRulesData() {
  return {
    comment: 'Generated from modules/publishing-rules.ts by scripts/build.js; do not edit.',
    autoTags: [...SES_AUTO_TAGS],
    origins: Object.fromEntries(
      (Object.keys(PUBLISHING_RULES) as DimensionOrigin[]).map((origin) => [
        origin,
        Object.fromEntries(
          EVERY_EVENT.map((event) => {
            const rule = PUBLISHING_RULES[origin];
            const value = rule.carriedBy.includes(event);
            return [event, { value, default: !value || rule.defaultAppears }];
          }),
        ),
      ]),
    ),
  };
}
