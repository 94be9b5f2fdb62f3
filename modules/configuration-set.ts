import { configurationSetImportId } from './import-ids';
import { Sesv2ConfigurationSet } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import {
  CloudWatchEventDestination,
  CloudWatchEventDestinationOptions,
  IConfigurationSet,
} from './cloudwatch-event-destination';
import { dimensionSetViolations, expandDimensionSets } from './dimension-sets';
import { EventDestination, EventDestinationOptions } from './event-destination';
import { ConfigurationSetTlsPolicy, SuppressionReason, TrackingHttpsPolicy } from './ses-enums';
import {
  checkConfigurationSetName,
  configurationSetViolations,
  eventDestinationListViolations,
  parseDurationSeconds,
} from './ses-rules';
import { SesValidationError } from './ses-validation-error';

/** How SES delivers the set's messages. */
export interface DeliveryOptions {
  /**
   * Whether delivery must use TLS.
   * @default - OPTIONAL (TLS when the receiving server offers it)
   */
  readonly tlsPolicy?: ConfigurationSetTlsPolicy | `${ConfigurationSetTlsPolicy}`;
  /**
   * The dedicated IP pool to send from.
   * @default - the shared pool
   */
  readonly sendingPool?: string;
  /**
   * How long SES keeps trying to deliver: whole seconds or a text such as "6h" or "90m", 5 minutes to 14 hours.
   * @default - 14 hours (SES's own limit)
   */
  readonly maxDeliveryDuration?: number | string;
}

/** Open and click tracking on your own domain. */
export interface TrackingOptions {
  /** The domain that tracking links point to, such as "track.example.com". */
  readonly customRedirectDomain: string;
  /**
   * Whether tracking links use HTTPS.
   * @default - OPTIONAL
   */
  readonly httpsPolicy?: TrackingHttpsPolicy | `${TrackingHttpsPolicy}`;
}

/** Virtual Deliverability Manager options of the set (they override the account's VDM settings). */
export interface VdmOptions {
  /**
   * Engagement metrics (opens, clicks) of this set's mail in the VDM dashboard.
   * @default - the account's setting
   */
  readonly engagementMetrics?: boolean;
  /**
   * Optimized shared delivery (VDM guardian) for this set's mail.
   * @default - the account's setting
   */
  readonly optimizedSharedDelivery?: boolean;
}

/** A CloudWatch destination that may be split into one destination per dimension set. */
export interface CloudWatchDestinationSetOptions extends CloudWatchEventDestinationOptions {
  /**
   * Dimension combinations to publish separately, such as `[["campaign"], ["campaign", "genre"]]`: one
   * destination each, named `<name>-<dimensions>`, sharing event types and defaults. Each counts
   * against SES's 10 destinations per set.
   * @default - one destination with all the dimensions
   */
  readonly dimensionSets?: readonly (readonly string[])[];
}

/** A configuration set. */
export interface ConfigurationSetProps {
  /** The set's name, as applications name it in their send calls: 1 to 64 letters, digits, "_" or "-". */
  readonly name: string;
  /**
   * Whether SES sends email that names this set.
   * @default true
   */
  readonly sendingEnabled?: boolean;
  /**
   * Whether SES publishes the set's bounce and complaint rates to CloudWatch.
   * @default true
   */
  readonly reputationMetrics?: boolean;
  /**
   * TLS policy, dedicated IP pool and maximum delivery duration.
   * @default - SES's defaults
   */
  readonly deliveryOptions?: DeliveryOptions;
  /**
   * A custom domain for open and click tracking links.
   * @default - SES's own tracking domain
   */
  readonly trackingOptions?: TrackingOptions;
  /**
   * Reasons that put a recipient on the suppression list for mail sent with this set; an empty list turns
   * set-level suppression off.
   * @default - the account-level suppression settings apply
   */
  readonly suppressedReasons?: ReadonlyArray<SuppressionReason | `${SuppressionReason}`>;
  /**
   * Virtual Deliverability Manager settings of this set.
   * @default - the account's VDM settings apply
   */
  readonly vdmOptions?: VdmOptions;
  /**
   * Tags of the configuration set.
   * @default - none beyond the provider's default tags
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Refuse to destroy the set (`lifecycle.prevent_destroy`): sends that name a deleted set fail.
   * @default false
   */
  readonly protect?: boolean;
}

/**
 * What every configuration set construct offers, managed here or imported by name: its
 * destinations, found wherever they were created, and SES's rules on them (unique names, at most 10
 * per set), checked as each is added and again at synth.
 */
export abstract class ConfigurationSetBase extends Construct implements IConfigurationSet {
  abstract readonly configurationSetName: string;
  abstract readonly configurationSetNameReference: string;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.destinationListProblems() });
  }

  /** Adds a CloudWatch event destination to this set; its construct ID is its name. */
  addCloudWatchDestination(options: CloudWatchEventDestinationOptions): CloudWatchEventDestination {
    this.checkRoomFor(options.name);
    return new CloudWatchEventDestination(this, options.name, { ...options, configurationSet: this });
  }

  /** Adds an SNS, EventBridge, Firehose or Pinpoint destination to this set; its construct ID is its name. */
  addEventDestination(options: EventDestinationOptions): EventDestination {
    this.checkRoomFor(options.name);
    return new EventDestination(this, options.name, { ...options, configurationSet: this });
  }

  /** The names of every destination of the set, of every kind: what SES's quota of 10 counts. */
  get eventDestinationNames(): string[] {
    return [
      ...this.eventDestinations.map((destination) => destination.eventDestinationName),
      ...EventDestination.forSet(this).map((destination) => destination.eventDestinationName),
    ];
  }

  /** A new destination's name is unique in the set and within SES's 10 per set. */
  private checkRoomFor(name: string): void {
    const names = [...this.eventDestinationNames, name];
    SesValidationError.throwIfAny(
      `${this.node.path}/${name}`,
      eventDestinationListViolations(names, this.configurationSetName).filter(
        (found) => found.path.length === 0 || found.path[0] === names.length - 1,
      ),
    );
  }

  /** Adds one destination, or one per dimension set when `dimensionSets` is given. */
  addCloudWatchDestinations(options: CloudWatchDestinationSetOptions): CloudWatchEventDestination[] {
    const { dimensionSets, ...destination } = options;
    if (dimensionSets === undefined) return [this.addCloudWatchDestination(destination)];
    SesValidationError.throwIfAny(
      `${this.node.path}/${options.name}`,
      dimensionSetViolations(
        options.dimensions.map((dimension) => dimension.name),
        dimensionSets,
      ).map((found) => ({ ...found, path: ['dimensionSets', ...found.path] })),
    );
    return expandDimensionSets(options.name, options.dimensions, dimensionSets).map((expanded) =>
      this.addCloudWatchDestination({ ...destination, ...expanded }),
    );
  }

  /**
   * Every CloudWatch destination that publishes for this set, wherever it was created. Each
   * destination registers with its set, so this costs nothing however large the app.
   */
  get eventDestinations(): readonly CloudWatchEventDestination[] {
    return CloudWatchEventDestination.forSet(this);
  }

  /** The provider's import ID: the set's name. */
  get importId(): string {
    return configurationSetImportId(this.configurationSetName);
  }

  private destinationListProblems(): string[] {
    const names = this.eventDestinationNames;
    return eventDestinationListViolations(names, this.configurationSetName).map((found) => found.message);
  }
}

/** A set managed elsewhere (another stack, the console), to add destinations to by name. */
class ImportedConfigurationSet extends ConfigurationSetBase {
  readonly configurationSetNameReference: string;

  constructor(
    scope: Construct,
    id: string,
    readonly configurationSetName: string,
  ) {
    super(scope, id);
    const problem = checkConfigurationSetName(configurationSetName);
    if (problem !== undefined) SesValidationError.throwIfAny(this.node.path, [{ path: ['name'], message: problem }]);
    this.configurationSetNameReference = configurationSetName;
  }
}

/**
 * An SES configuration set, over `aws_sesv2_configuration_set`, with sending and reputation metrics
 * enabled unless told otherwise.
 */
export class ConfigurationSet extends ConfigurationSetBase {
  /**
   * A set managed elsewhere, to add destinations to by name: a construct in the tree, whose
   * destinations obey the same rules as a managed set's (unique names, at most 10).
   */
  static fromName(scope: Construct, id: string, configurationSetName: string): ConfigurationSetBase {
    return new ImportedConfigurationSet(scope, id, configurationSetName);
  }

  /** The provider's import ID of a set: its name. */
  static importIdOf(configurationSetName: string): string {
    return configurationSetImportId(configurationSetName);
  }

  /** The underlying Terraform resource. */
  readonly resource: Sesv2ConfigurationSet;
  readonly configurationSetName: string;
  readonly configurationSetNameReference: string;
  readonly protect: boolean;
  /** Whether SES publishes the set's reputation rates (what reputation alarms watch). */
  readonly reputationMetrics: boolean;

  constructor(scope: Construct, id: string, props: ConfigurationSetProps) {
    super(scope, id);
    SesValidationError.throwIfAny(this.node.path, configurationSetViolations(props));

    this.configurationSetName = props.name;
    this.protect = props.protect ?? false;
    this.reputationMetrics = props.reputationMetrics ?? true;
    this.resource = new Sesv2ConfigurationSet(this, 'Resource', {
      configurationSetName: props.name,
      sendingOptions: { sendingEnabled: props.sendingEnabled ?? true },
      reputationOptions: { reputationMetricsEnabled: this.reputationMetrics },
      deliveryOptions: ConfigurationSet.deliveryBlock(props.deliveryOptions),
      trackingOptions: props.trackingOptions && {
        customRedirectDomain: props.trackingOptions.customRedirectDomain,
        httpsPolicy: props.trackingOptions.httpsPolicy,
      },
      suppressionOptions: props.suppressedReasons && { suppressedReasons: [...props.suppressedReasons] },
      vdmOptions: ConfigurationSet.vdmBlock(props.vdmOptions),
      tags: props.tags && { ...props.tags },
      lifecycle: this.protect ? { preventDestroy: true } : undefined,
    });
    this.configurationSetNameReference = this.resource.configurationSetName;
  }

  private static vdmBlock(options: VdmOptions | undefined) {
    if (options === undefined) return undefined;
    const word = (flag: boolean | undefined) => (flag === undefined ? undefined : flag ? 'ENABLED' : 'DISABLED');
    const { engagementMetrics, optimizedSharedDelivery } = options;
    return {
      dashboardOptions: engagementMetrics === undefined ? undefined : { engagementMetrics: word(engagementMetrics) },
      guardianOptions:
        optimizedSharedDelivery === undefined ? undefined : { optimizedSharedDelivery: word(optimizedSharedDelivery) },
    };
  }

  private static deliveryBlock(options: DeliveryOptions | undefined) {
    if (options === undefined) return undefined;
    const { tlsPolicy, sendingPool, maxDeliveryDuration } = options;
    return {
      tlsPolicy,
      sendingPoolName: sendingPool,
      maxDeliverySeconds: maxDeliveryDuration === undefined ? undefined : parseDurationSeconds(maxDeliveryDuration),
    };
  }
}
