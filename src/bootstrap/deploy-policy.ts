/**
 * The least-privilege policy of an environment's deploy role, derived from the environment file:
 * the SES v2 configuration-set actions on this environment's configuration sets in its regions,
 * its own state keys (state and lock file) in the state bucket, and the list of configuration sets
 * that `sesform drift` reads to find sets no environment declares. Nothing else, no wildcard action.
 */
import type { FleetStack } from '../fleet/fleet';

/** Every SES v2 action the provider needs to manage a configuration set and its event destinations. */
export const CONFIGURATION_SET_ACTIONS = [
  'ses:CreateConfigurationSet',
  'ses:GetConfigurationSet',
  'ses:DeleteConfigurationSet',
  'ses:PutConfigurationSetDeliveryOptions',
  'ses:PutConfigurationSetReputationOptions',
  'ses:PutConfigurationSetSendingOptions',
  'ses:PutConfigurationSetSuppressionOptions',
  'ses:PutConfigurationSetTrackingOptions',
  'ses:PutConfigurationSetVdmOptions',
  'ses:CreateConfigurationSetEventDestination',
  'ses:GetConfigurationSetEventDestinations',
  'ses:UpdateConfigurationSetEventDestination',
  'ses:DeleteConfigurationSetEventDestination',
  'ses:TagResource',
  'ses:UntagResource',
  'ses:ListTagsForResource',
] as const;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

function partitionOf(roleArn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(roleArn)?.[1] ?? 'aws';
}

/** The deploy role's policy for the stacks that use it (the regions of one environment, usually). */
export function deployRolePolicy(stacks: readonly FleetStack[]): PolicyDocument {
  const configurationSets = stacks.flatMap((stack) => {
    const partition = partitionOf(stack.deployRole.arn);
    return stack.configurationSets.map(
      (set) => `arn:${partition}:ses:${stack.region}:${stack.accountId}:configuration-set/${set.name}`,
    );
  });
  const stateObjects = stacks.flatMap((stack) => {
    const bucket = `arn:${partitionOf(stack.deployRole.arn)}:s3:::${stack.state.bucket}`;
    return [`${bucket}/${stack.state.key}`, `${bucket}/${stack.state.key}.tflock`];
  });
  const buckets = [
    ...new Set(stacks.map((stack) => `arn:${partitionOf(stack.deployRole.arn)}:s3:::${stack.state.bucket}`)),
  ];
  const statements: PolicyStatement[] = [];
  if (configurationSets.length > 0)
    statements.push({
      Sid: 'ManageThisEnvironmentsConfigurationSets',
      Effect: 'Allow',
      Action: [...CONFIGURATION_SET_ACTIONS],
      Resource: configurationSets,
    });
  statements.push(
    {
      // A list action has no resource type: it takes "*". It reads names only.
      Sid: 'ListConfigurationSetsForDrift',
      Effect: 'Allow',
      Action: ['ses:ListConfigurationSets'],
      Resource: ['*'],
    },
    {
      Sid: 'ListOwnStateKeys',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: buckets,
      Condition: {
        StringLike: {
          's3:prefix': stacks.map((stack) => stack.state.key),
        },
      },
    },
    {
      Sid: 'ReadWriteOwnStateAndLock',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: stateObjects,
    },
  );
  return { Version: '2012-10-17', Statement: statements };
}
