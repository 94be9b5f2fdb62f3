/**
 * The metric estimates of what is applied, kept in each stack's Terraform state (a `terraform_data`
 * resource whose input is the estimate per destination). A plan shows the recorded input as
 * "before" and the new one as "after", so any runner, with any checkout, reports the metrics a
 * change removes as they were estimated when they were applied, never re-estimated from today's files.
 * It also records the deploy role the environment declares, so that a plan that changes the role a
 * stack is applied with (to a broader one) says so on its own line: nothing else in a plan would.
 */
import type { FleetStack } from './fleet';
import { resourceAddress } from './resource-types';
import { RESOURCE_TYPES } from './resource-types';

/** The record's construct ID in every stack. */
export const METRIC_RECORD_ID = 'sesform-metric-estimates';
/** Its Terraform address. */
export const METRIC_RECORD_ADDRESS = resourceAddress(RESOURCE_TYPES.metricRecord, [METRIC_RECORD_ID]);

export interface RecordedDestination {
  readonly configurationSet: string;
  readonly destination: string;
  readonly metrics: number;
}

/** What the record holds: the estimate per destination, by its Terraform address. */
export interface MetricRecord {
  readonly version: 1;
  /** The environment's declared deploy role (absent in records written before it was recorded). */
  readonly deployRole?: string;
  readonly destinations: Readonly<Record<string, RecordedDestination>>;
}

/** The record of a stack as declared now. */
export function metricRecordOf(stack: FleetStack): MetricRecord {
  const destinations: Record<string, RecordedDestination> = {};
  for (const set of stack.configurationSets)
    for (const destination of set.destinations)
      destinations[destination.address] = {
        configurationSet: destination.configurationSet,
        destination: destination.name,
        metrics: destination.metrics,
      };
  return { version: 1, deployRole: stack.environment.deployRole.arn, destinations };
}

/** The record from a plan's or state's `input` value; undefined when there is none or it is not one. */
export function parseMetricRecord(input: unknown): MetricRecord | undefined {
  const candidate = input as Partial<MetricRecord> | null | undefined;
  if (candidate?.version !== 1 || typeof candidate.destinations !== 'object' || candidate.destinations === null)
    return undefined;
  if (candidate.deployRole !== undefined && typeof candidate.deployRole !== 'string') return undefined;
  return candidate as MetricRecord;
}
