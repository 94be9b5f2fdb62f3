/**
 * The constructs, with the SES vocabulary and rules they enforce: TypeScript source that a CDKTF app
 * in TypeScript imports from a checkout, or copies (it needs only cdktf, constructs and the AWS provider).
 */
export * from './ses-enums';
export * from './configuration-set';
export * from './cloudwatch-event-destination';
export * from './event-destination';
export * from './event-targets';
export * from './event-topic';
export * from './firehose-delivery-role';
export * from './alarm-topic';
export * from './reputation-alarms';
export * from './event-alarm';
export * from './ses-dashboard';
export {
  REPUTATION_METRICS,
  REPUTATION_DIMENSION,
  SES_REVIEW_RATES,
  DEFAULT_REPUTATION_THRESHOLDS,
  parsePercent,
  formatPercent,
} from './alarm-rules';
export { dimensionSetDestinationName, expandDimensionSets } from './dimension-sets';
export {
  PUBLISHING_RULES,
  DEFAULT_EXPECTED_VALUES,
  carriesValue,
  defaultAppears,
  valuesOn,
  metricsOf,
  metricsByEventType,
} from './publishing-rules';
export type { DimensionOrigin, EventTypeMetrics, OriginRule, PublishedDimension } from './publishing-rules';
export { SesValidationError, formatPath } from './ses-validation-error';
export type { RuleViolation } from './ses-rules';
export {
  SES_QUOTAS,
  MAX_DELIVERY_DURATION_SECONDS,
  FORBIDDEN_HEADER_DIMENSIONS,
  parseEventType,
  normaliseEventTypes,
  parseDimensionSource,
  parseDurationSeconds,
} from './ses-rules';
