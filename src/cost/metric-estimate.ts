/**
 * How many CloudWatch custom metrics a destination can create: every unique combination of event
 * type and dimension values is one metric, so a destination with event types E and dimensions
 * d1..dn can create up to |E| x (values(d1) + 1) x ... x (values(dn) + 1) (each dimension also has its
 * default value). The fleet model applies this to every destination once; reports only read it.
 */
import { SesAutoTag, isAutoTag } from '../../modules/ses-enums';

/** The estimate for a dimension that declares no `expectedValues` and is no auto-tag. */
export const DEFAULT_EXPECTED_VALUES = 10;

/**
 * Estimates for SES's auto-tags; `sets` means the number of configuration sets in the environment.
 * Override any of them with `expectedValues`.
 */
export const AUTO_TAG_EXPECTED_VALUES: Readonly<Record<SesAutoTag, number | 'sets'>> = {
  'ses:configuration-set': 'sets',
  'ses:caller-identity': 20,
  'ses:from-domain': 50,
  'ses:source-ip': 100,
  'ses:outgoing-ip': 50,
  'ses:source-tls-version': 3,
  'ses:outgoing-tls-version': 3,
};

/** Auto-tags whose values grow with senders, domains or addresses. */
export const HIGH_CARDINALITY_AUTO_TAGS: readonly SesAutoTag[] = [
  'ses:from-domain',
  'ses:source-ip',
  'ses:outgoing-ip',
  'ses:caller-identity',
];

export interface DimensionEstimate {
  readonly name: string;
  /** Distinct values including the default value. */
  readonly values: number;
  readonly basis: 'declared' | 'auto-tag' | 'default';
}

/**
 * A dimension's distinct values, the default value included: `expectedValues` when declared, else an
 * auto-tag's documented figure (`sets` configuration sets for ses:configuration-set), else the default.
 */
export function dimensionEstimate(name: string, expectedValues: number | undefined, sets: number): DimensionEstimate {
  if (expectedValues !== undefined) return { name, values: expectedValues + 1, basis: 'declared' };
  if (!isAutoTag(name)) return { name, values: DEFAULT_EXPECTED_VALUES + 1, basis: 'default' };
  const estimate = AUTO_TAG_EXPECTED_VALUES[name];
  return { name, values: (estimate === 'sets' ? sets : estimate) + 1, basis: 'auto-tag' };
}

/** Up to this many custom metrics; 0 for a disabled destination, which publishes nothing. */
export function destinationMetrics(
  enabled: boolean,
  eventTypes: number,
  dimensions: readonly DimensionEstimate[],
): number {
  if (!enabled) return 0;
  return dimensions.reduce((product, dimension) => product * dimension.values, eventTypes);
}
