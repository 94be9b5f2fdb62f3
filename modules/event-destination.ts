import { eventDestinationImportId } from './import-ids';
import { Sesv2ConfigurationSetEventDestination } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import { DestinationsBySet } from './destinations-by-set';
import type { IConfigurationSet } from './cloudwatch-event-destination';
import { EmailSendingEvent, EventTypeName } from './ses-enums';
import { EventTarget, TargetPlace, targetViolations } from './event-targets';
import { checkEventDestinationName, eventTypeViolations, normaliseEventTypes, prefixed, violation } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

/** What a caller sets on an SNS, EventBridge, Firehose or Pinpoint destination; the set comes from the scope. */
export interface EventDestinationOptions {
  /** The destination's name: 1 to 64 letters, digits, "_" or "-", unique within its set. */
  readonly name: string;
  /**
   * Whether SES publishes to the destination.
   * @default true (the provider's default is false, a destination that publishes nothing)
   */
  readonly enabled?: boolean;
  /** The events to publish, in either spelling; at least one. */
  readonly eventTypes: readonly EventTypeName[];
  /** Where the events go: `EventTargets.snsTopic(arn)`, `.defaultEventBus(...)`, `.firehoseDeliveryStream(...)`, `.pinpointApplication(arn)`. */
  readonly target: EventTarget;
  /**
   * The stack's account and region, to refuse a target SES cannot reach (another region) or that is
   * in another account by mistake.
   * @default - only the ARNs' shape is checked
   */
  readonly place?: TargetPlace;
}

export interface EventDestinationProps extends EventDestinationOptions {
  /** The configuration set whose events are published. */
  readonly configurationSet: IConfigurationSet;
}

const destinationsBySet = new DestinationsBySet<EventDestination>();

/**
 * Publishes a configuration set's sending events to an SNS topic, the default EventBridge bus, a
 * Firehose delivery stream or a Pinpoint application, over `aws_sesv2_configuration_set_event_destination`
 * (updated in place). CloudWatch metrics are `CloudWatchEventDestination`'s.
 */
export class EventDestination extends Construct {
  /** The destinations created for `configurationSet`, wherever in the app, in creation order. */
  static forSet(configurationSet: IConfigurationSet): readonly EventDestination[] {
    return destinationsBySet.of(configurationSet);
  }

  /** The underlying Terraform resource. */
  readonly resource: Sesv2ConfigurationSetEventDestination;
  readonly configurationSet: IConfigurationSet;
  readonly eventDestinationName: string;
  readonly enabled: boolean;
  readonly eventTypes: readonly EmailSendingEvent[];
  readonly target: EventTarget;

  constructor(scope: Construct, id: string, props: EventDestinationProps) {
    super(scope, id);
    SesValidationError.throwIfAny(this.node.path, [
      ...violation(['name'], checkEventDestinationName(props.name)),
      ...prefixed(['eventTypes'], eventTypeViolations(props.eventTypes)),
      ...prefixed(['target'], targetViolations(props.target, props.place)),
    ]);
    this.configurationSet = props.configurationSet;
    this.eventDestinationName = props.name;
    this.enabled = props.enabled ?? true;
    this.eventTypes = normaliseEventTypes(props.eventTypes);
    this.target = props.target;
    this.resource = new Sesv2ConfigurationSetEventDestination(this, 'Resource', {
      configurationSetName: props.configurationSet.configurationSetNameReference,
      eventDestinationName: props.name,
      eventDestination: {
        enabled: this.enabled,
        matchingEventTypes: [...this.eventTypes],
        ...EventDestination.targetBlock(props.target),
      },
    });
    destinationsBySet.add(props.configurationSet, this);
  }

  /** The provider's import ID: `SET_NAME|DESTINATION_NAME`. */
  get importId(): string {
    return eventDestinationImportId(this.configurationSet.configurationSetName, this.eventDestinationName);
  }

  private static targetBlock(target: EventTarget) {
    switch (target.kind) {
      case 'sns':
        return { snsDestination: { topicArn: target.topicArn } };
      case 'eventBridge':
        return { eventBridgeDestination: { eventBusArn: target.eventBusArn } };
      case 'firehose':
        return {
          kinesisFirehoseDestination: {
            deliveryStreamArn: target.deliveryStreamArn,
            iamRoleArn: target.iamRoleArn,
          },
        };
      case 'pinpoint':
        return { pinpointDestination: { applicationArn: target.applicationArn } };
    }
  }
}
