/**
 * How many CloudWatch custom metrics a destination can create, from the publishing rule table
 * (modules/publishing-rules.ts): every unique combination of event type and dimension values is one
 * metric, so a destination can create, summed over its event types e, the product over its
 * dimensions d of values(d, e), what SES can publish for d on an event of type e. The fleet model
 * applies this to every destination once; reports only read it.
 */
import {
  DEFAULT_EXPECTED_VALUES,
  HIGH_CARDINALITY_AUTO_TAGS,
  PUBLISHING_RULES,
  PublishedDimension,
  distinctValues,
  ruleOf,
  valuesOn,
} from '../../modules/publishing-rules';
import { EmailSendingEvent, SesAutoTag } from '../../modules/ses-enums';

export { DEFAULT_EXPECTED_VALUES, HIGH_CARDINALITY_AUTO_TAGS };
export { metricsByEventType, metricsOf } from '../../modules/publishing-rules';
export type { EventTypeMetrics } from '../../modules/publishing-rules';

/** The documented estimate of an auto-tag's distinct values (1 for ses:configuration-set, which is exact). */
export function autoTagEstimate(name: SesAutoTag): { values: number; why: string } {
  const { count } = PUBLISHING_RULES[name];
  if (count.kind === 'declared') throw new Error(`${name} has no documented estimate`);
  return { values: count.values, why: count.why };
}

export interface DimensionEstimate {
  readonly name: string;
  /** Distinct values on an event type that carries the dimension's value, the default included where it can appear. */
  readonly values: number;
  /** Declared `expectedValues`, a fixed count (ses:configuration-set), an auto-tag's estimate, or the stated default. */
  readonly basis: 'declared' | 'fixed' | 'estimate' | 'default';
  /** The event types whose data points carry its value; on the others it takes its default alone. */
  readonly carriedBy: readonly EmailSendingEvent[];
}

export function dimensionEstimate(dimension: PublishedDimension): DimensionEstimate {
  const { basis } = distinctValues(dimension);
  const rule = ruleOf(dimension);
  const on = rule.carriedBy[0];
  return { name: dimension.name, values: valuesOn(dimension, on), basis, carriedBy: rule.carriedBy };
}
