/**
 * Reads what an account already holds in SES, through the same deploy role the stacks assume
 * (clients from src/aws/account-access.ts).
 */
import {
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  ListConfigurationSetsCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import type { EventDestinationDefinition as SesDestination } from '@aws-sdk/client-sesv2';
import type { ConfigurationSetDefinition } from '../environment/schema';
import { defaultEventBusArn, partitionOf } from '../../modules/event-targets';

export interface ExistingDestination {
  readonly name: string;
  readonly enabled: boolean;
  readonly eventTypes: string[];
  /** The destination as an environment file declares it: its target block, of whichever kind. */
  readonly target: DestinationTarget;
}

/** One of the target blocks of an environment file's destination. */
type DestinationTarget =
  | { cloudWatch: { dimensions: { name: string; source: string; defaultValue: string }[] } }
  | { sns: { topicArn: string } }
  | { eventBridge: Record<string, never> | { eventBusArn: string } }
  | { firehose: { deliveryStreamArn: string; roleArn: string } }
  | { pinpoint: { applicationArn: string } };

/**
 * The target block of a destination SES holds. The account's own default bus is written as `{}`
 * (what a file says for it); any other ARN as it is, so that the next plan finds nothing to change.
 */
function targetOf(destination: SesDestination, accountId: string, region: string): DestinationTarget {
  const { SnsDestination, EventBridgeDestination, KinesisFirehoseDestination, PinpointDestination } = destination;
  if (SnsDestination) return { sns: { topicArn: SnsDestination.TopicArn ?? '' } };
  if (EventBridgeDestination) {
    const arn = EventBridgeDestination.EventBusArn ?? '';
    return { eventBridge: arn === defaultEventBusArn(accountId, region, partitionOf(arn)) ? {} : { eventBusArn: arn } };
  }
  if (KinesisFirehoseDestination)
    return {
      firehose: {
        deliveryStreamArn: KinesisFirehoseDestination.DeliveryStreamArn ?? '',
        roleArn: KinesisFirehoseDestination.IamRoleArn ?? '',
      },
    };
  if (PinpointDestination) return { pinpoint: { applicationArn: PinpointDestination.ApplicationArn ?? '' } };
  return {
    cloudWatch: {
      dimensions: (destination.CloudWatchDestination?.DimensionConfigurations ?? []).map((dimension) => ({
        name: dimension.DimensionName ?? '',
        source: dimension.DimensionValueSource ?? '',
        defaultValue: dimension.DefaultDimensionValue ?? '',
      })),
    },
  };
}

/** A target in another account needs the file to say so (allowCrossAccount). */
function otherAccount(target: DestinationTarget, accountId: string): boolean {
  const arns = Object.values(Object.values(target)[0] as Record<string, unknown>).filter(
    (value): value is string => typeof value === 'string' && value.startsWith('arn:'),
  );
  return arns.some((arn) => {
    const account = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];
    return account !== undefined && account !== accountId;
  });
}

/** A set's VDM options in the environment file's words; undefined when SES holds none. */
function vdmOf(
  vdm:
    | { DashboardOptions?: { EngagementMetrics?: string }; GuardianOptions?: { OptimizedSharedDelivery?: string } }
    | undefined,
) {
  const engagement = vdm?.DashboardOptions?.EngagementMetrics;
  const optimized = vdm?.GuardianOptions?.OptimizedSharedDelivery;
  if (engagement === undefined && optimized === undefined) return undefined;
  return {
    ...(engagement === undefined ? {} : { engagementMetrics: engagement === 'ENABLED' }),
    ...(optimized === undefined ? {} : { optimizedSharedDelivery: optimized === 'ENABLED' }),
  };
}

export interface ExistingSet {
  readonly name: string;
  readonly definition: ConfigurationSetDefinition;
  readonly destinations: ExistingDestination[];
}

/** Tags that sesform and AWS add themselves; an exported file must not declare them. */
const OWN_TAG = /^(aws:|managed-by$|sesform-environment$)/;

/** The names of every configuration set of the account and region. */
export async function setNames(ses: SESv2Client): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ses.send(new ListConfigurationSetsCommand({ NextToken }));
    names.push(...(page.ConfigurationSets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

/** Every configuration set of the account and region, as an environment file would declare it. */
export async function readConfigurationSets(
  ses: SESv2Client,
  accountId: string,
  region: string,
): Promise<ExistingSet[]> {
  const sets: ExistingSet[] = [];
  for (const name of await setNames(ses)) {
    const read = await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: name }));
    const { EventDestinations = [] } = await ses.send(
      new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: name }),
    );
    const destinations: ExistingDestination[] = EventDestinations.map((destination) => ({
      name: destination.Name ?? '',
      enabled: destination.Enabled ?? false,
      eventTypes: destination.MatchingEventTypes ?? [],
      target: targetOf(destination, accountId, region),
    }));
    const vdmOptions = vdmOf(read.VdmOptions);
    const delivery = read.DeliveryOptions;
    const tags = Object.fromEntries(
      (read.Tags ?? []).filter((tag) => tag.Key && !OWN_TAG.test(tag.Key)).map((tag) => [tag.Key!, tag.Value ?? '']),
    );
    const definition: ConfigurationSetDefinition = {
      name,
      sendingEnabled: read.SendingOptions?.SendingEnabled ?? true,
      reputationMetrics: read.ReputationOptions?.ReputationMetricsEnabled ?? false,
      ...(delivery && (delivery.TlsPolicy || delivery.SendingPoolName || delivery.MaxDeliverySeconds)
        ? {
            deliveryOptions: {
              ...(delivery.TlsPolicy ? { tlsPolicy: delivery.TlsPolicy } : {}),
              ...(delivery.SendingPoolName ? { sendingPool: delivery.SendingPoolName } : {}),
              ...(delivery.MaxDeliverySeconds ? { maxDeliveryDuration: delivery.MaxDeliverySeconds } : {}),
            },
          }
        : {}),
      ...(read.TrackingOptions?.CustomRedirectDomain
        ? {
            trackingOptions: {
              customRedirectDomain: read.TrackingOptions.CustomRedirectDomain,
              ...(read.TrackingOptions.HttpsPolicy ? { httpsPolicy: read.TrackingOptions.HttpsPolicy } : {}),
            },
          }
        : {}),
      ...(read.SuppressionOptions ? { suppressedReasons: read.SuppressionOptions.SuppressedReasons ?? [] } : {}),
      ...(vdmOptions ? { vdmOptions } : {}),
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
      eventDestinations: destinations.map((destination) => ({
        name: destination.name,
        enabled: destination.enabled,
        eventTypes: destination.eventTypes,
        ...destination.target,
        ...(otherAccount(destination.target, accountId) ? { allowCrossAccount: true } : {}),
      })),
    } as ConfigurationSetDefinition;
    sets.push({ name, definition, destinations });
  }
  return sets;
}
