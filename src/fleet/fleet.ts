/**
 * The resolved fleet: validated environments turned, once, into what every other part reads. One
 * stack per environment and region (name, account, region, wave, deploy role, state key), each
 * configuration set with its destinations after `dimensionSets` expansion and event-type
 * normalisation, their import IDs and Terraform addresses, and the cost model's expected metric
 * count per (stack, set, destination). Synth, cost, the plan report, drift, adopt, export, bootstrap
 * and the IAM policy read this model; none re-derives it.
 */
import { configurationSetImportId, eventDestinationImportId } from '../../modules/import-ids';
import { expandDimensionSets } from '../../modules/dimension-sets';
import { CloudWatchDimensionSource, EmailSendingEvent } from '../../modules/ses-enums';
import { normaliseEventTypes, parseDimensionSource } from '../../modules/ses-rules';
import { DimensionEstimate, dimensionEstimate, metricsOf } from './metric-estimate';
import type { ConfigurationSetDefinition, Environment } from '../environment/schema';
import { FleetMonitoring, resolveMonitoring } from './monitoring';
import { RESOURCE_TYPES, resourceAddress } from './resource-types';
import type { DestinationKind, EventTarget } from '../../modules/event-targets';
import { destinationKind, resolveTarget } from '../environment/destination-targets';
import { partitionOf } from '../../modules/event-targets';

/** A valid environment and the file it was read from. */
export interface LoadedEnvironment {
  readonly file: string;
  readonly environment: Environment;
}

/** A field of an environment file, as a path of keys and indexes (for messages). */
export type FieldPath = readonly (string | number)[];

export interface FleetDimension {
  readonly name: string;
  readonly source: CloudWatchDimensionSource;
  readonly defaultValue: string;
  /** As declared: the team's own count of distinct values, for the cost model. */
  readonly expectedValues?: number;
  /** The cost model's figure for this dimension (modules/publishing-rules.ts). */
  readonly estimate: DimensionEstimate;
}

/** A resource sesform creates for a destination: the SNS topic of `topicName`, the Firehose role of `createRole`. */
export interface DestinationResource {
  readonly kind: 'event topic' | 'firehose role' | 'firehose role policy';
  /** The topic's or role's name. */
  readonly name: string;
  readonly address: string;
}

/** One event destination as SES will hold it. */
export interface FleetDestination {
  readonly stack: string;
  readonly configurationSet: string;
  /** The name SES holds: the declared name, or `<name>-<dimensions>` for one of its dimension sets. */
  readonly name: string;
  /** The name in the environment file. */
  readonly declaredName: string;
  /** Where it is declared in the environment file. */
  readonly field: FieldPath;
  readonly enabled: boolean;
  /** Where SES publishes: CloudWatch metrics, or an SNS, EventBridge, Firehose or Pinpoint target. */
  readonly kind: DestinationKind;
  /** The target of every kind but CloudWatch, with its ARNs resolved for this stack. */
  readonly target?: EventTarget;
  /** What sesform creates for the target (a topic, a role); none for a target that exists already. */
  readonly resources: readonly DestinationResource[];
  /** The v2 enum, duplicates removed, in the order first written. */
  readonly eventTypes: readonly EmailSendingEvent[];
  /** CloudWatch dimensions; none for other kinds. */
  readonly dimensions: readonly FleetDimension[];
  /** The provider's import ID: `SET|DESTINATION`. */
  readonly importId: string;
  /** The Terraform resource address in the stack. */
  readonly address: string;
  /** Custom metrics it can create (the cost model's estimate); 0 when disabled. */
  readonly metrics: number;
}

export interface FleetConfigurationSet {
  readonly stack: string;
  readonly name: string;
  /** The set as declared (options, tags, destinations before expansion). */
  readonly definition: ConfigurationSetDefinition;
  /** Destroy protection: the set's own `protect`, else the environment's. */
  readonly protect: boolean;
  readonly field: FieldPath;
  readonly destinations: readonly FleetDestination[];
  readonly importId: string;
  readonly address: string;
  readonly metrics: number;
}

/** A role a stack's provider and state backend assume. */
export interface AssumedRole {
  readonly arn: string;
  readonly externalId?: string;
  readonly sessionName: string;
}

/** One environment in one region: one CDKTF stack, one state. */
export interface FleetStack {
  readonly name: string;
  readonly environment: Environment;
  /** The environment file, for messages. */
  readonly file: string;
  readonly accountId: string;
  readonly region: string;
  readonly wave: number;
  readonly protect: boolean;
  readonly deployRole: AssumedRole;
  /** The read-only role that `plan --read-only` and `drift --read-only` assume, when the file declares one. */
  readonly planRole?: AssumedRole;
  readonly state: { readonly bucket: string; readonly key: string; readonly region: string };
  readonly configurationSets: readonly FleetConfigurationSet[];
  readonly metrics: number;
  /** Alarms, their topic and the dashboard, when the environment declares monitoring. */
  readonly monitoring?: FleetMonitoring;
}

export interface Fleet {
  /** The environments it was resolved from, in rollout order. */
  readonly environments: readonly LoadedEnvironment[];
  /** Every stack, in rollout order: wave, then name. */
  readonly stacks: readonly FleetStack[];
}

/** The stack of one environment in one region: `<env>-<region>`. */
export function stackName(environmentName: string, region: string): string {
  return `${environmentName}-${region}`;
}

/** The state object key: unique per environment and region under the environment's prefix. */
export function stateKey(keyPrefix: string, environmentName: string, region: string): string {
  return `${keyPrefix}/${environmentName}/${region}/terraform.tfstate`;
}

export function resolveFleet(environments: readonly LoadedEnvironment[]): Fleet {
  const stacks = environments
    .flatMap((loaded) => loaded.environment.regions.map((region) => resolveStack(loaded, region)))
    .sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name));
  return { environments, stacks };
}

function resolveStack({ environment, file }: LoadedEnvironment, region: string): FleetStack {
  const name = stackName(environment.name, region);
  const { deployRole, planRole, stateBackend } = environment;
  const configurationSets = environment.configurationSets.map((set, index) =>
    resolveSet(name, environment, region, set, ['configurationSets', index]),
  );
  return {
    name,
    environment,
    file,
    accountId: environment.accountId,
    region,
    wave: environment.wave,
    protect: environment.protect,
    deployRole: assumedRole(deployRole, `sesform-${environment.name}`),
    ...(planRole ? { planRole: assumedRole(planRole, `sesform-${environment.name}-plan`) } : {}),
    state: {
      bucket: stateBackend.bucket,
      key: stateKey(stateBackend.keyPrefix, environment.name, region),
      region: stateBackend.region,
    },
    configurationSets,
    metrics: sum(configurationSets.map((set) => set.metrics)),
    ...optional('monitoring', resolveMonitoring(environment, region, configurationSets)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function assumedRole(
  role: { arn: string; externalId?: string; sessionName?: string },
  defaultSessionName: string,
): AssumedRole {
  return {
    arn: role.arn,
    ...(role.externalId ? { externalId: role.externalId } : {}),
    sessionName: role.sessionName ?? defaultSessionName,
  };
}

/**
 * The stack as a read-only run sees it: its provider and state backend assume the plan role instead
 * of the deploy role. Undefined when the environment declares no plan role.
 */
export function withPlanRole(stack: FleetStack): FleetStack | undefined {
  return stack.planRole && { ...stack, deployRole: stack.planRole };
}

function resolveSet(
  stack: string,
  environment: Environment,
  region: string,
  set: ConfigurationSetDefinition,
  field: FieldPath,
): FleetConfigurationSet {
  const place = {
    environmentName: environment.name,
    accountId: environment.accountId,
    region,
    partition: partitionOf(environment.deployRole.arn),
    configurationSet: set.name,
  };
  const destinations = set.eventDestinations.flatMap((declared, index): FleetDestination[] => {
    const enabled = declared.enabled ?? true;
    const eventTypes = normaliseEventTypes(declared.eventTypes);
    const common = {
      stack,
      configurationSet: set.name,
      declaredName: declared.name,
      field: [...field, 'eventDestinations', index],
      enabled,
      kind: destinationKind(declared),
      eventTypes,
    };
    const address = (name: string) => resourceAddress(RESOURCE_TYPES.eventDestination, [set.name, name, 'Resource']);
    const resolved = resolveTarget(declared, place);
    if (resolved !== undefined || declared.cloudWatch === undefined)
      return [
        {
          ...common,
          name: declared.name,
          ...(resolved ? { target: resolved.target } : {}),
          resources: createdResources(set.name, declared.name, resolved),
          dimensions: [],
          importId: eventDestinationImportId(set.name, declared.name),
          address: address(declared.name),
          // Only CloudWatch destinations create custom metrics.
          metrics: 0,
        },
      ];
    const cloudWatch = declared.cloudWatch;
    const dimensions = cloudWatch.dimensions.map((dimension): FleetDimension => {
      const published = {
        name: dimension.name,
        source: parseDimensionSource(dimension.source) as CloudWatchDimensionSource,
        ...optional('expectedValues', dimension.expectedValues),
      };
      return { ...published, defaultValue: dimension.defaultValue, estimate: dimensionEstimate(published) };
    });
    const expanded = cloudWatch.dimensionSets
      ? expandDimensionSets(declared.name, dimensions, cloudWatch.dimensionSets)
      : [{ name: declared.name, dimensions }];
    return expanded.map((entry) => ({
      ...common,
      name: entry.name,
      resources: [],
      dimensions: entry.dimensions,
      importId: eventDestinationImportId(set.name, entry.name),
      address: address(entry.name),
      metrics: metricsOf(enabled, eventTypes, entry.dimensions),
    }));
  });
  return {
    stack,
    name: set.name,
    definition: set,
    protect: set.protect ?? environment.protect,
    field,
    destinations,
    importId: configurationSetImportId(set.name),
    address: resourceAddress(RESOURCE_TYPES.configurationSet, [set.name, 'Resource']),
    metrics: sum(destinations.map((destination) => destination.metrics)),
  };
}

/** The construct paths of what sesform creates for a destination: under the destination's own construct. */
export const DESTINATION_RESOURCE_IDS = { topic: 'Topic', role: 'Role' } as const;

function createdResources(
  set: string,
  destination: string,
  resolved: ReturnType<typeof resolveTarget>,
): DestinationResource[] {
  const found: DestinationResource[] = [];
  if (resolved?.createdTopic)
    found.push({
      kind: 'event topic',
      name: resolved.createdTopic.name,
      address: resourceAddress(RESOURCE_TYPES.snsTopic, [set, destination, DESTINATION_RESOURCE_IDS.topic, 'Resource']),
    });
  if (resolved?.createdRole)
    found.push(
      {
        kind: 'firehose role',
        name: resolved.createdRole.name,
        address: resourceAddress(RESOURCE_TYPES.iamRole, [set, destination, DESTINATION_RESOURCE_IDS.role, 'Resource']),
      },
      {
        kind: 'firehose role policy',
        name: resolved.createdRole.name,
        address: resourceAddress(RESOURCE_TYPES.iamRolePolicy, [
          set,
          destination,
          DESTINATION_RESOURCE_IDS.role,
          'Policy',
        ]),
      },
    );
  return found;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Every destination of the fleet's stacks. */
export function fleetDestinations(stacks: readonly FleetStack[]): FleetDestination[] {
  return stacks.flatMap((stack) => stack.configurationSets.flatMap((set) => set.destinations));
}
