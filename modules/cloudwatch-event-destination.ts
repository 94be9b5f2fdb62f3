import { eventDestinationImportId } from './import-ids';
import { Sesv2ConfigurationSetEventDestination } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import { DestinationsBySet } from './destinations-by-set';
import {
  CloudWatchDimensionSource,
  DimensionSourceName,
  EmailSendingEvent,
  EventTypeName,
  SesAutoTag,
} from './ses-enums';
import { eventDestinationViolations, normaliseEventTypes, parseDimensionSource } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

/** A configuration set that event destinations can be added to. */
export interface IConfigurationSet {
  /** The set's name, as written (used in messages and import IDs). */
  readonly configurationSetName: string;
  /** What the destination's `configuration_set_name` refers to: a reference to the managed set, or its name. */
  readonly configurationSetNameReference: string;
}

/** One CloudWatch dimension of an event destination. */
export interface CloudWatchDimension {
  /** The dimension's name: the message tag, link tag or header to read, or an SES auto-tag such as `ses:from-domain`. */
  readonly name: string;
  /** Where SES reads each message's value; `messageTag` or `MESSAGE_TAG` (either spelling). */
  readonly source: DimensionSourceName;
  /** The value SES publishes when a message carries none. Required by SES. */
  readonly defaultValue: string;
  /**
   * How many distinct values you expect, for the metric cost estimate (SES never sees it).
   * @default - the auto-tag's documented estimate, else a stated default with a warning
   */
  readonly expectedValues?: number;
}

/** Builds dimensions with the source in the name of the call. */
export class Dimension {
  /** A dimension read from a message tag (`X-SES-MESSAGE-TAGS` or the API's Tags parameter). */
  static messageTag(name: string, defaultValue: string): CloudWatchDimension {
    return { name, source: CloudWatchDimensionSource.MESSAGE_TAG, defaultValue };
  }

  /** A dimension read from one of your own MIME headers; name and values must be ASCII. */
  static emailHeader(name: string, defaultValue: string): CloudWatchDimension {
    return { name, source: CloudWatchDimensionSource.EMAIL_HEADER, defaultValue };
  }

  /** A dimension read from a tag on a tracked link (click events). */
  static linkTag(name: string, defaultValue: string): CloudWatchDimension {
    return { name, source: CloudWatchDimensionSource.LINK_TAG, defaultValue };
  }

  /** A dimension read from a tag that SES adds to every message, such as `ses:configuration-set`. */
  static autoTag(tag: SesAutoTag, defaultValue: string): CloudWatchDimension {
    return { name: tag, source: CloudWatchDimensionSource.MESSAGE_TAG, defaultValue };
  }
}

/** What a caller sets on a CloudWatch event destination; the set it belongs to comes from the scope. */
export interface CloudWatchEventDestinationOptions {
  /** The destination's name: 1 to 64 letters, digits, "_" or "-", unique within its set. */
  readonly name: string;
  /**
   * Whether SES publishes to the destination.
   * @default true (the provider's default is false, a destination that publishes nothing)
   */
  readonly enabled?: boolean;
  /** The events to publish, in either spelling (`renderingFailure` or `RENDERING_FAILURE`); at least one. */
  readonly eventTypes: readonly EventTypeName[];
  /** The metric dimensions, 1 to 10, with unique names. */
  readonly dimensions: readonly CloudWatchDimension[];
}

/** A CloudWatch event destination, with the set it publishes for. */
export interface CloudWatchEventDestinationProps extends CloudWatchEventDestinationOptions {
  /** The configuration set whose events are published. */
  readonly configurationSet: IConfigurationSet;
}

/** The destinations created for each set, so a set finds its own without searching the construct tree. */
const destinationsBySet = new DestinationsBySet<CloudWatchEventDestination>();

/**
 * Publishes a configuration set's sending events to Amazon CloudWatch as metrics, over
 * `aws_sesv2_configuration_set_event_destination` (updated in place, unlike the v1 resource).
 */
export class CloudWatchEventDestination extends Construct {
  /** The provider's import ID of a destination: `SET_NAME|DESTINATION_NAME`. */
  static importIdOf(configurationSetName: string, eventDestinationName: string): string {
    return eventDestinationImportId(configurationSetName, eventDestinationName);
  }

  /** The destinations created for `configurationSet`, wherever in the app, in creation order. */
  static forSet(configurationSet: IConfigurationSet): readonly CloudWatchEventDestination[] {
    return destinationsBySet.of(configurationSet);
  }

  /** The underlying Terraform resource. */
  readonly resource: Sesv2ConfigurationSetEventDestination;
  readonly configurationSet: IConfigurationSet;
  readonly eventDestinationName: string;
  readonly enabled: boolean;
  /** The event types as the v2 enum, duplicates removed, in the order first written. */
  readonly eventTypes: readonly EmailSendingEvent[];
  /** The dimensions with their sources as the v2 enum. */
  readonly dimensions: readonly CloudWatchDimension[];

  constructor(scope: Construct, id: string, props: CloudWatchEventDestinationProps) {
    super(scope, id);
    SesValidationError.throwIfAny(this.node.path, eventDestinationViolations(props));

    this.configurationSet = props.configurationSet;
    this.eventDestinationName = props.name;
    this.enabled = props.enabled ?? true;
    this.eventTypes = normaliseEventTypes(props.eventTypes);
    this.dimensions = props.dimensions.map((dimension) => ({
      ...dimension,
      source: parseDimensionSource(dimension.source) as CloudWatchDimensionSource,
    }));

    this.resource = new Sesv2ConfigurationSetEventDestination(this, 'Resource', {
      configurationSetName: props.configurationSet.configurationSetNameReference,
      eventDestinationName: props.name,
      eventDestination: {
        enabled: this.enabled,
        matchingEventTypes: [...this.eventTypes],
        cloudWatchDestination: {
          dimensionConfiguration: this.dimensions.map((dimension) => ({
            dimensionName: dimension.name,
            dimensionValueSource: dimension.source,
            defaultDimensionValue: dimension.defaultValue,
          })),
        },
      },
    });
    destinationsBySet.add(props.configurationSet, this);
  }

  /** The provider's import ID: `SET_NAME|DESTINATION_NAME`. */
  get importId(): string {
    return CloudWatchEventDestination.importIdOf(this.configurationSet.configurationSetName, this.eventDestinationName);
  }
}
