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
import type { ConfigurationSetDefinition } from '../environment/schema';

export interface ExistingDestination {
  readonly name: string;
  readonly enabled: boolean;
  readonly eventTypes: string[];
  /** Undefined for destinations other than CloudWatch (SNS, Firehose, EventBridge, Pinpoint), which sesform does not manage. */
  readonly dimensions?: { name: string; source: string; defaultValue: string }[];
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
export async function readConfigurationSets(ses: SESv2Client): Promise<ExistingSet[]> {
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
      dimensions: destination.CloudWatchDestination?.DimensionConfigurations?.map((dimension) => ({
        name: dimension.DimensionName ?? '',
        source: dimension.DimensionValueSource ?? '',
        defaultValue: dimension.DefaultDimensionValue ?? '',
      })),
    }));
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
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
      eventDestinations: destinations
        .filter((destination) => destination.dimensions !== undefined)
        .map((destination) => ({
          name: destination.name,
          enabled: destination.enabled,
          eventTypes: destination.eventTypes,
          cloudWatch: { dimensions: destination.dimensions! },
        })),
    } as ConfigurationSetDefinition;
    sets.push({ name, definition, destinations });
  }
  return sets;
}
