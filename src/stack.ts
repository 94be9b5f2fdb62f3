import { AwsProvider } from './cdk/aws-provider';
import { S3Backend, TerraformResource, TerraformStack, dependable } from './cdk/cdk-core';
import { Construct } from 'constructs';
import { ConfigurationSet } from '../modules/configuration-set';
import type { Environment } from './environment/schema';
import { DESTINATION_RESOURCE_IDS, FleetDestination, FleetStack } from './fleet/fleet';
import { EventTopic } from '../modules/event-topic';
import { FirehoseDeliveryRole } from '../modules/firehose-delivery-role';
import { partitionOf } from '../modules/event-targets';
import { METRIC_RECORD_ID, MetricRecord, metricRecordOf } from './fleet/metric-record';
import { RESOURCE_TYPES } from './fleet/resource-types';
import { EMPTY_IMPORTS, ImportManifest } from './adoption/import-manifest';
import { LocalTarget } from './local/local-target';
import { addMonitoring } from './stack-monitoring';

/** Tags the project adds to every resource, after the environment's own default tags. */
export function projectTags(environment: Environment): Record<string, string> {
  return { ...environment.defaultTags, 'managed-by': 'sesform', 'sesform-environment': environment.name };
}

export interface SesEnvironmentStackProps {
  /** The stack as the fleet model resolved it: account, region, role, state, sets and destinations. */
  readonly stack: FleetStack;
  /**
   * Retarget the stack at the embedded emulator.
   * @default - real AWS
   */
  readonly local?: LocalTarget;
  /**
   * Existing resources to import rather than create (from `sesform adopt`).
   * @default - none
   */
  readonly imports?: ImportManifest;
}

/**
 * One environment in one region: an AWS provider that assumes the environment's deploy role and
 * refuses any other account, state in S3 with a lock file, the configuration sets, their alarms and
 * dashboard when the environment declares monitoring, and the record of their metric estimates.
 */
export class SesEnvironmentStack extends TerraformStack {
  readonly fleetStack: FleetStack;
  readonly configurationSets: ConfigurationSet[];

  constructor(scope: Construct, props: SesEnvironmentStackProps) {
    const { stack, local, imports = EMPTY_IMPORTS } = props;
    super(scope, stack.name);
    this.fleetStack = stack;
    const { environment, deployRole, state } = stack;

    new AwsProvider(this, 'aws', {
      region: stack.region,
      // A plan run with another account's credentials fails before it reads or changes anything.
      allowedAccountIds: [stack.accountId],
      assumeRole: [{ roleArn: deployRole.arn, externalId: deployRole.externalId, sessionName: deployRole.sessionName }],
      defaultTags: [{ tags: projectTags(environment) }],
      ...(local && SesEnvironmentStack.localProviderSettings(local)),
    });
    const providerVersion = local?.providerVersion ?? environment.awsProviderVersion;
    if (providerVersion !== undefined) this.addOverride('terraform.required_providers.aws.version', providerVersion);

    const backend = new S3Backend(this, {
      bucket: state.bucket,
      key: state.key,
      region: state.region,
      encrypt: true,
      ...(local && SesEnvironmentStack.localBackendSettings(local)),
    });
    // cdktf 0.21 predates S3-native locking; Terraform 1.10+ reads this flag.
    backend.addOverride('use_lockfile', true);
    // State is read through the same deploy role (its policy grants this stack's state keys), so a
    // pipeline needs one identity that may assume the deploy roles, and no access to any bucket itself.
    backend.addOverride('assume_role', {
      role_arn: deployRole.arn,
      ...(deployRole.externalId ? { external_id: deployRole.externalId } : {}),
      session_name: deployRole.sessionName,
    });

    const importSets = new Set(imports.configurationSets);
    const importDestinations = new Set(imports.eventDestinations);
    this.configurationSets = stack.configurationSets.map((set) => {
      const { eventDestinations: _declared, protect: _protect, ...setProps } = set.definition;
      const configurationSet = new ConfigurationSet(this, set.name, { ...setProps, protect: set.protect });
      if (importSets.has(set.importId)) configurationSet.resource.importFrom(set.importId);
      // The fleet model has expanded dimension sets already: one construct per destination SES will hold.
      for (const destination of set.destinations) {
        const added = SesEnvironmentStack.addDestination(stack, configurationSet, destination);
        if (importDestinations.has(destination.importId)) added.resource.importFrom(destination.importId);
      }
      return configurationSet;
    });
    if (stack.monitoring)
      addMonitoring(this, stack, stack.monitoring, this.configurationSets, new Set(imports.alarms ?? []));
    new MetricRecordResource(this, METRIC_RECORD_ID, metricRecordOf(stack));
  }

  /** One destination of any kind, with the topic or role sesform creates for it (under its construct). */
  private static addDestination(stack: FleetStack, set: ConfigurationSet, destination: FleetDestination) {
    const { name, enabled, eventTypes, target } = destination;
    if (target === undefined)
      return set.addCloudWatchDestination({ name, enabled, eventTypes, dimensions: destination.dimensions });
    const added = set.addEventDestination({
      name,
      enabled,
      eventTypes,
      target,
      place: { accountId: stack.accountId, region: stack.region, allowCrossAccount: true },
    });
    const where = {
      configurationSetName: set.configurationSetName,
      accountId: stack.accountId,
      region: stack.region,
      partition: partitionOf(stack.deployRole.arn),
    };
    for (const resource of destination.resources) {
      // SES checks that the topic or role exists when the destination is created.
      if (resource.kind === 'event topic')
        added.resource.dependsOn = [
          new EventTopic(added, DESTINATION_RESOURCE_IDS.topic, { topicName: resource.name, ...where }).resource,
        ].map(dependable);
      if (resource.kind === 'firehose role' && target.kind === 'firehose') {
        const role = new FirehoseDeliveryRole(added, DESTINATION_RESOURCE_IDS.role, {
          roleName: resource.name,
          deliveryStreamArn: target.deliveryStreamArn,
          ...where,
        });
        added.resource.dependsOn = [role.role, role.policy].map(dependable);
      }
    }
    return added;
  }

  /** The provider against the emulator: its endpoints, few retries (each 500 would otherwise retry 25 times). */
  private static localProviderSettings({ endpoint, tls }: LocalTarget) {
    return {
      endpoints: [{ sesv2: endpoint, sts: endpoint, s3: endpoint, iam: endpoint, cloudwatch: endpoint, sns: endpoint }],
      // The emulator's throwaway certificate, on the loopback address only.
      ...(tls ? { insecure: true } : {}),
      maxRetries: 2,
      skipCredentialsValidation: true,
      skipMetadataApiCheck: 'true',
    };
  }

  /** State in the emulator's S3, still with the lock file. */
  private static localBackendSettings({ endpoint, tls }: LocalTarget) {
    return {
      ...(tls ? { insecure: true } : {}),
      endpoints: { s3: endpoint, sts: endpoint, iam: endpoint },
      usePathStyle: true,
      skipCredentialsValidation: true,
      skipRequestingAccountId: true,
      skipRegionValidation: true,
      skipMetadataApiCheck: true,
    };
  }
}

/**
 * The stack's record of its metric estimates: Terraform's built-in `terraform_data` with the record as
 * its `input`. Not cdktf's `DataResource`, whose validation runs `terraform version` for every stack
 * (4 s of a 100-stack synth, and synth would need Terraform installed).
 */
class MetricRecordResource extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly record: MetricRecord,
  ) {
    super(scope, id, { terraformResourceType: RESOURCE_TYPES.metricRecord });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { input: this.record };
  }
}
