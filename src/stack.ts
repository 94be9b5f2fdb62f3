import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ConfigurationSet } from '../modules/configuration-set';
import { Environment } from './environment/schema';
import { stackName, stateKey } from './environment/stack-naming';
import { EMPTY_IMPORTS, ImportManifest } from './adoption/import-manifest';
import { LocalTarget } from './local/local-target';

/** Tags the project adds to every resource, after the environment's own default tags. */
export function projectTags(environment: Environment): Record<string, string> {
  return { ...environment.defaultTags, 'managed-by': 'sesform', 'sesform-environment': environment.name };
}

export interface SesEnvironmentStackProps {
  readonly environment: Environment;
  /** One of the environment's regions. */
  readonly region: string;
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
 * refuses any other account, state in S3 with a lock file, and the configuration sets.
 */
export class SesEnvironmentStack extends TerraformStack {
  readonly environment: Environment;
  readonly region: string;
  readonly configurationSets: ConfigurationSet[];

  constructor(scope: Construct, props: SesEnvironmentStackProps) {
    const { environment, region, local, imports = EMPTY_IMPORTS } = props;
    super(scope, stackName(environment.name, region));
    this.environment = environment;
    this.region = region;

    const { deployRole, stateBackend } = environment;
    const assumeRole = {
      roleArn: deployRole.arn,
      externalId: deployRole.externalId,
      sessionName: deployRole.sessionName ?? `sesform-${environment.name}`,
    };
    new AwsProvider(this, 'aws', {
      region,
      // A plan run with another account's credentials fails before it reads or changes anything.
      allowedAccountIds: [environment.accountId],
      assumeRole: [assumeRole],
      defaultTags: [{ tags: projectTags(environment) }],
      ...(local && SesEnvironmentStack.localProviderSettings(local)),
    });
    const providerVersion = local?.providerVersion ?? environment.awsProviderVersion;
    if (providerVersion !== undefined) this.addOverride('terraform.required_providers.aws.version', providerVersion);

    const backend = new S3Backend(this, {
      bucket: stateBackend.bucket,
      key: stateKey(stateBackend.keyPrefix, environment.name, region),
      region: stateBackend.region,
      encrypt: true,
      ...(local && SesEnvironmentStack.localBackendSettings(local)),
    });
    // cdktf 0.21 predates S3-native locking; Terraform 1.10+ reads this flag.
    backend.addOverride('use_lockfile', true);
    // State is read through the same deploy role (its policy grants this stack's state keys), so a
    // pipeline needs one identity that may assume the deploy roles, and no access to any bucket itself.
    backend.addOverride('assume_role', {
      role_arn: assumeRole.roleArn,
      ...(assumeRole.externalId ? { external_id: assumeRole.externalId } : {}),
      session_name: assumeRole.sessionName,
    });

    this.configurationSets = environment.configurationSets.map((set) => {
      const { eventDestinations, ...setProps } = set;
      const configurationSet = new ConfigurationSet(this, set.name, {
        ...setProps,
        protect: set.protect ?? environment.protect,
      });
      if (imports.configurationSets.includes(set.name)) configurationSet.resource.importFrom(configurationSet.importId);
      for (const { cloudWatch, ...destination } of eventDestinations)
        for (const added of configurationSet.addCloudWatchDestinations({
          ...destination,
          dimensions: cloudWatch.dimensions,
          dimensionSets: cloudWatch.dimensionSets,
        }))
          if (imports.eventDestinations.includes(added.importId)) added.resource.importFrom(added.importId);
      return configurationSet;
    });
  }

  /** The provider against the emulator: its endpoints, few retries (each 500 would otherwise retry 25 times). */
  private static localProviderSettings({ endpoint, tls }: LocalTarget) {
    return {
      endpoints: [{ sesv2: endpoint, sts: endpoint, s3: endpoint, iam: endpoint }],
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
