/**
 * The Terraform resource types sesform writes and reads back from plans, defined once (a unit test
 * checks them against the provider bindings' own `tfResourceType`), and the addresses cdktf gives them.
 */
import { makeUniqueId } from '../cdk/cdk-core';

export const RESOURCE_TYPES = {
  configurationSet: 'aws_sesv2_configuration_set',
  eventDestination: 'aws_sesv2_configuration_set_event_destination',
  metricAlarm: 'aws_cloudwatch_metric_alarm',
  dashboard: 'aws_cloudwatch_dashboard',
  snsTopic: 'aws_sns_topic',
  snsSubscription: 'aws_sns_topic_subscription',
  /** The role SES assumes for a Firehose destination (createRole), and its one inline policy. */
  iamRole: 'aws_iam_role',
  iamRolePolicy: 'aws_iam_role_policy',
  /** Terraform's built-in resource that holds the metric estimates of what was applied (see metric-record.ts). */
  metricRecord: 'terraform_data',
} as const;

/**
 * The Terraform address of a construct's resource, as cdktf allocates it (its logical ID from the
 * construct path under the stack). A unit test checks these against synthesized stacks.
 */
export function resourceAddress(type: string, constructPath: readonly string[]): string {
  return `${type}.${makeUniqueId([...constructPath])}`;
}
