/**
 * Where an event destination that is not CloudWatch sends its events: an SNS topic, the account's
 * default EventBridge bus, a Kinesis Data Firehose delivery stream (with the role SES assumes to write
 * to it), or a Pinpoint application; and SES's rules on their ARNs, checked before anything reaches AWS.
 *
 * Sources: SES API v2 reference (`EventDestinationDefinition`, `SnsDestination`, `EventBridgeDestination`,
 * `KinesisFirehoseDestination`, `PinpointDestination`) and the SES developer guide's event-destination
 * pages: SES publishes only to a standard (not FIFO) SNS topic, only to the default event bus, and to
 * resources in the region of the configuration set; the Firehose role must trust ses.amazonaws.com.
 */
import { RuleViolation, normaliseEventTypes, quote } from './ses-rules';

/** The destination kinds besides CloudWatch, as the environment files name them. */
export const TARGET_KINDS = ['sns', 'eventBridge', 'firehose', 'pinpoint'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
/** Every destination kind, CloudWatch included. */
export type DestinationKind = 'cloudWatch' | TargetKind;

/** What each kind is called in messages and reports. */
export const DESTINATION_KIND_NAMES: Readonly<Record<DestinationKind, string>> = {
  cloudWatch: 'CloudWatch',
  sns: 'SNS',
  eventBridge: 'EventBridge',
  firehose: 'Kinesis Data Firehose',
  pinpoint: 'Pinpoint',
};

export interface SnsTarget {
  readonly kind: 'sns';
  readonly topicArn: string;
}
export interface EventBridgeTarget {
  readonly kind: 'eventBridge';
  readonly eventBusArn: string;
}
export interface FirehoseTarget {
  readonly kind: 'firehose';
  readonly deliveryStreamArn: string;
  /** The role SES assumes to put records on the stream. */
  readonly iamRoleArn: string;
}
export interface PinpointTarget {
  readonly kind: 'pinpoint';
  readonly applicationArn: string;
}
/** A destination's target, with the ARNs SES holds. */
export type EventTarget = SnsTarget | EventBridgeTarget | FirehoseTarget | PinpointTarget;

/** Builds targets with the kind in the name of the call, as AWS CDK's `EventDestination` does. */
export class EventTargets {
  /** A standard (not FIFO) SNS topic; its policy must let ses.amazonaws.com publish. */
  static snsTopic(topicArn: string): SnsTarget {
    return { kind: 'sns', topicArn };
  }

  /** The default event bus of an account and region: the only bus SES publishes to. */
  static defaultEventBus(accountId: string, region: string, partition = 'aws'): EventBridgeTarget {
    return { kind: 'eventBridge', eventBusArn: defaultEventBusArn(accountId, region, partition) };
  }

  /** A Kinesis Data Firehose delivery stream and the role SES assumes to write to it. */
  static firehoseDeliveryStream(deliveryStreamArn: string, iamRoleArn: string): FirehoseTarget {
    return { kind: 'firehose', deliveryStreamArn, iamRoleArn };
  }

  /** A Pinpoint application (project). */
  static pinpointApplication(applicationArn: string): PinpointTarget {
    return { kind: 'pinpoint', applicationArn };
  }
}

/** The partition of an ARN ("aws", "aws-cn", "aws-us-gov"); "aws" when it is not one. */
export function partitionOf(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? 'aws';
}

export function defaultEventBusArn(accountId: string, region: string, partition = 'aws'): string {
  return `arn:${partition}:events:${region}:${accountId}:event-bus/default`;
}

/** The ARN of a configuration set, as SES names it in trust and topic policy conditions. */
export function configurationSetArn(accountId: string, region: string, setName: string, partition = 'aws'): string {
  return `arn:${partition}:ses:${region}:${accountId}:configuration-set/${setName}`;
}

// --- ARN rules ------------------------------------------------------------------------------------

interface ArnRule {
  readonly what: string;
  readonly pattern: RegExp; // groups: region, account
  readonly example: string;
  /** IAM is global: its ARNs name no region. */
  readonly global?: boolean;
}

const PARTITION = 'aws[a-z-]*';
const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d)';
const ACCOUNT = '(\\d{12})';

const ARN_RULES = {
  topic: {
    what: 'SNS topic ARN',
    pattern: new RegExp(`^arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:([A-Za-z0-9_-]{1,256})$`),
    example: 'arn:aws:sns:eu-west-1:123456789012:ses-bounces',
  },
  eventBus: {
    what: 'EventBridge event bus ARN',
    pattern: new RegExp(`^arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/([A-Za-z0-9._/-]{1,256})$`),
    example: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
  },
  deliveryStream: {
    what: 'Firehose delivery stream ARN',
    pattern: new RegExp(`^arn:${PARTITION}:firehose:${REGION}:${ACCOUNT}:deliverystream/([A-Za-z0-9._-]{1,64})$`),
    example: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/ses-events',
  },
  role: {
    what: 'IAM role ARN',
    pattern: new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/([\\w+=,.@/-]{1,512})$`),
    example: 'arn:aws:iam::123456789012:role/ses-firehose',
    global: true,
  },
  pinpointApplication: {
    what: 'Pinpoint application ARN',
    pattern: new RegExp(`^arn:${PARTITION}:mobiletargeting:${REGION}:${ACCOUNT}:apps/([a-zA-Z0-9]{1,64})$`),
    example: 'arn:aws:mobiletargeting:eu-west-1:123456789012:apps/0123456789abcdef0123456789abcdef',
  },
} as const satisfies Record<string, ArnRule>;

export type ArnKind = keyof typeof ARN_RULES;

/** Where the stack that publishes is: its account and region. */
export interface TargetPlace {
  readonly accountId: string;
  readonly region: string;
  /** A target in another account is allowed (its policy must trust this account's SES). */
  readonly allowCrossAccount?: boolean;
}

/** The rules of one ARN: its shape, and that it is in the stack's region (and account unless allowed). */
export function arnViolations(kind: ArnKind, arn: string, place?: TargetPlace): RuleViolation[] {
  const rule: ArnRule = ARN_RULES[kind];
  const match = rule.pattern.exec(arn);
  if (match === null)
    return [{ path: [], message: `${quote(arn)} is not an ${rule.what} such as ${quote(rule.example)}.` }];
  if (place === undefined) return [];
  const [region, account] = rule.global ? [undefined, match[1]] : [match[1], match[2]];
  const found: RuleViolation[] = [];
  if (region !== undefined && region !== place.region)
    found.push({
      path: [],
      message: `${quote(arn)} is in ${region}, but SES publishes only to resources in the region of the configuration set (${place.region}): write "{region}" in the ARN so that each region's stack names its own.`,
    });
  if (account !== place.accountId && place.allowCrossAccount !== true)
    found.push({
      path: [],
      message: `${quote(arn)} is in account ${account}, not this environment's ${place.accountId}: write "{accountId}", or set allowCrossAccount: true on the destination if another account's resource is meant (its policy must then let this account's SES use it).`,
    });
  return found;
}

/** SES refuses FIFO topics. */
export function topicArnViolations(topicArn: string, place?: TargetPlace): RuleViolation[] {
  if (topicArn.endsWith('.fifo'))
    return [
      {
        path: [],
        message: `${quote(topicArn)} is a FIFO topic: SES publishes events only to standard SNS topics.`,
      },
    ];
  return arnViolations('topic', topicArn, place);
}

/** SES publishes only to the account's default bus. */
export function eventBusArnViolations(eventBusArn: string, place?: TargetPlace): RuleViolation[] {
  const shape = arnViolations('eventBus', eventBusArn, place);
  if (shape.length > 0 || eventBusArn.endsWith(':event-bus/default')) return shape;
  return [
    {
      path: [],
      message: `${quote(eventBusArn)} is not the default event bus: SES publishes only to the default bus of the account and region (leave eventBusArn out; a rule on the default bus can forward to another bus).`,
    },
  ];
}

/** Every rule of a target, with paths relative to the target's own fields. */
export function targetViolations(target: EventTarget, place?: TargetPlace): RuleViolation[] {
  const at = (field: string, found: RuleViolation[]) => found.map((one) => ({ ...one, path: [field, ...one.path] }));
  switch (target.kind) {
    case 'sns':
      return at('topicArn', topicArnViolations(target.topicArn, place));
    case 'eventBridge':
      return at('eventBusArn', eventBusArnViolations(target.eventBusArn, place));
    case 'firehose':
      return [
        ...at('deliveryStreamArn', arnViolations('deliveryStream', target.deliveryStreamArn, place)),
        // SES assumes the role in the set's own account: another account's role cannot be passed.
        ...at('iamRoleArn', arnViolations('role', target.iamRoleArn, place && { ...place, allowCrossAccount: false })),
      ];
    case 'pinpoint':
      return at('applicationArn', arnViolations('pinpointApplication', target.applicationArn, place));
  }
}

/** What a target publishes to, as one text (the same text means the same resource). */
export function targetResource(target: EventTarget): string {
  switch (target.kind) {
    case 'sns':
      return target.topicArn;
    case 'eventBridge':
      return target.eventBusArn;
    case 'firehose':
      return target.deliveryStreamArn;
    case 'pinpoint':
      return target.applicationArn;
  }
}

/**
 * Two enabled destinations of one set that publish the same event type to the same resource deliver
 * every such event twice (SES does not merge them): a consumer counting bounces would count double.
 * Paths are indexes into the list.
 */
export function duplicateTargetViolations(
  destinations: readonly {
    readonly name: string;
    readonly enabled?: boolean;
    readonly eventTypes: readonly string[];
    readonly target?: EventTarget;
  }[],
): RuleViolation[] {
  const found: RuleViolation[] = [];
  // Either spelling of an event type is the same event.
  const types = destinations.map((destination) => normaliseEventTypes(destination.eventTypes) as string[]);
  destinations.forEach((destination, index) => {
    if (destination.target === undefined || destination.enabled === false) return;
    const resource = targetResource(destination.target);
    const earlier = destinations.findIndex(
      (other, position) =>
        position < index &&
        other.target !== undefined &&
        other.enabled !== false &&
        targetResource(other.target) === resource &&
        types[position].some((type) => types[index].includes(type)),
    );
    if (earlier < 0) return;
    const shared = types[index].filter((type) => types[earlier].includes(type));
    found.push({
      path: [index],
      message: `destination ${quote(destination.name)} publishes ${shared.join(', ')} to ${quote(resource)} as ${quote(destinations[earlier].name)} already does: SES would deliver each of these events twice. Merge the two, or give them different event types.`,
    });
  });
  return found;
}
