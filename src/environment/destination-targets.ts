/**
 * The targets of SNS, EventBridge, Firehose and Pinpoint destinations as an environment file declares
 * them, resolved for one stack: "{accountId}" and "{region}" replaced, the default bus's ARN filled in,
 * the names of the topic and role sesform creates when asked. Their rules (modules/event-targets.ts)
 * are checked per region, since one file serves every region's stack.
 */
import { createHash } from 'node:crypto';
import {
  DestinationKind,
  EventTarget,
  EventTargets,
  TargetKind,
  defaultEventBusArn,
  partitionOf,
  targetViolations,
} from '../../modules/event-targets';
import { EventTopic } from '../../modules/event-topic';
import { FirehoseDeliveryRole } from '../../modules/firehose-delivery-role';
import type { RuleViolation } from '../../modules/ses-rules';

export const DESTINATION_KINDS = [
  'cloudWatch',
  'sns',
  'eventBridge',
  'firehose',
  'pinpoint',
] as const satisfies readonly DestinationKind[];

/** A destination as written, the fields the target rules read. */
export interface DeclaredTargetFields {
  readonly name: string;
  readonly enabled?: boolean;
  readonly eventTypes: readonly string[];
  readonly sns?: { readonly topicArn?: string; readonly topicName?: string };
  readonly eventBridge?: { readonly eventBusArn?: string };
  readonly firehose?: { readonly deliveryStreamArn: string; readonly roleArn?: string; readonly createRole?: boolean };
  readonly pinpoint?: { readonly applicationArn: string };
  readonly allowCrossAccount?: boolean;
}

/** The stack a destination is resolved for. */
export interface TargetStack {
  readonly environmentName: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly configurationSet: string;
}

/** A target resolved for one stack, with what sesform creates for it. */
export interface ResolvedTarget {
  readonly target: EventTarget;
  /** The SNS topic sesform creates (with its SES publish policy), when the file gives topicName. */
  readonly createdTopic?: { readonly name: string };
  /** The role sesform creates for SES to write to the stream, when the file says createRole. */
  readonly createdRole?: { readonly name: string };
}

/** The kind of a declared destination (the schema guarantees exactly one). */
export function destinationKind(destination: object): DestinationKind {
  const record = destination as Record<string, unknown>;
  return DESTINATION_KINDS.find((kind) => record[kind] !== undefined) ?? 'cloudWatch';
}

/** "{accountId}" and "{region}" replaced. */
export function resolveArn(template: string, accountId: string, region: string): string {
  return template.replaceAll('{accountId}', accountId).replaceAll('{region}', region);
}

/**
 * The role sesform creates for a Firehose destination: IAM names are global to the account, so the
 * name holds the environment, region, set and destination; a name over IAM's 64 characters is cut and
 * made unique with a hash of the whole.
 */
export function firehoseRoleName(stack: TargetStack, destination: string): string {
  const whole = `ses-firehose-${stack.environmentName}-${stack.region}-${stack.configurationSet}-${destination}`;
  if (whole.length <= 64) return whole;
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, 10);
  return `${whole.slice(0, 53).replace(/-+$/, '')}-${hash}`;
}

/** The target of a non-CloudWatch destination for one stack; undefined for a CloudWatch destination. */
export function resolveTarget(destination: DeclaredTargetFields, stack: TargetStack): ResolvedTarget | undefined {
  const arn = (template: string) => resolveArn(template, stack.accountId, stack.region);
  const { sns, eventBridge, firehose, pinpoint } = destination;
  if (sns !== undefined) {
    if (sns.topicName !== undefined) {
      const topicArn = EventTopic.arnOf({ topicName: sns.topicName, ...stack });
      return { target: EventTargets.snsTopic(topicArn), createdTopic: { name: sns.topicName } };
    }
    return { target: EventTargets.snsTopic(arn(sns.topicArn ?? '')) };
  }
  if (eventBridge !== undefined)
    return {
      target: {
        kind: 'eventBridge',
        eventBusArn:
          eventBridge.eventBusArn === undefined
            ? defaultEventBusArn(stack.accountId, stack.region, stack.partition)
            : arn(eventBridge.eventBusArn),
      },
    };
  if (firehose !== undefined) {
    const deliveryStreamArn = arn(firehose.deliveryStreamArn);
    if (firehose.createRole === true) {
      const roleName = firehoseRoleName(stack, destination.name);
      return {
        target: EventTargets.firehoseDeliveryStream(
          deliveryStreamArn,
          FirehoseDeliveryRole.arnOf({ roleName, ...stack }),
        ),
        createdRole: { name: roleName },
      };
    }
    return { target: EventTargets.firehoseDeliveryStream(deliveryStreamArn, arn(firehose.roleArn ?? '')) };
  }
  if (pinpoint !== undefined) return { target: EventTargets.pinpointApplication(arn(pinpoint.applicationArn)) };
  return undefined;
}

/** A destination's target as written (placeholders kept), to find two destinations naming one resource. */
export function declaredTarget(destination: DeclaredTargetFields) {
  const resolved = resolveTarget(destination, {
    environmentName: '{environment}',
    accountId: '{accountId}',
    region: '{region}',
    partition: 'aws',
    configurationSet: '{set}',
  });
  return {
    name: destination.name,
    enabled: destination.enabled,
    eventTypes: destination.eventTypes,
    ...(resolved ? { target: resolved.target } : {}),
  };
}

/**
 * Whether a target can be checked: its fields are texts and say one thing. This check runs even when
 * other fields of the file are wrong (the schema reports those), so it reads nothing it has not checked.
 */
function targetReadable(set: unknown, destination: unknown): destination is DeclaredTargetFields {
  const texts = (value: unknown, ...fields: string[]) =>
    typeof value === 'object' &&
    value !== null &&
    fields.every((field) => {
      const found = (value as Record<string, unknown>)[field];
      return found === undefined || typeof found === 'string';
    });
  if (typeof (set as { name?: unknown } | null)?.name !== 'string') return false;
  if (!texts(destination, 'name')) return false;
  const { sns, eventBridge, firehose, pinpoint } = destination as DeclaredTargetFields;
  if (
    sns !== undefined &&
    (!texts(sns, 'topicArn', 'topicName') || (sns.topicArn === undefined) === (sns.topicName === undefined))
  )
    return false;
  if (eventBridge !== undefined && !texts(eventBridge, 'eventBusArn')) return false;
  if (
    firehose !== undefined &&
    (!texts(firehose, 'deliveryStreamArn', 'roleArn') ||
      typeof firehose.deliveryStreamArn !== 'string' ||
      (firehose.roleArn === undefined) === (firehose.createRole !== true))
  )
    return false;
  if (pinpoint !== undefined && (!texts(pinpoint) || typeof pinpoint.applicationArn !== 'string')) return false;
  return true;
}

/** The fields of a target, by the target's field name, in the environment file's words. */
const FIELD_NAMES: Readonly<Record<TargetKind, Readonly<Record<string, string>>>> = {
  sns: { topicArn: 'topicArn' },
  eventBridge: { eventBusArn: 'eventBusArn' },
  firehose: { deliveryStreamArn: 'deliveryStreamArn', iamRoleArn: 'roleArn' },
  pinpoint: { applicationArn: 'applicationArn' },
};

interface EnvironmentForTargets {
  readonly name?: string;
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly deployRole?: { readonly arn?: string };
  readonly configurationSets: readonly {
    readonly name: string;
    readonly eventDestinations?: readonly DeclaredTargetFields[];
  }[];
}

/**
 * Every target ARN checked in every region of the environment: shape, region (SES publishes only in the
 * set's region), account (unless allowCrossAccount). One message per field, however many regions break it.
 */
export function destinationTargetViolations(environment: EnvironmentForTargets): RuleViolation[] {
  const partition = partitionOf(typeof environment.deployRole?.arn === 'string' ? environment.deployRole.arn : '');
  const found = new Map<string, RuleViolation>();
  environment.configurationSets.forEach((set, setIndex) =>
    (Array.isArray(set?.eventDestinations) ? set.eventDestinations : []).forEach((destination, destinationIndex) => {
      if (!targetReadable(set, destination)) return;
      const kind = destinationKind(destination);
      if (kind === 'cloudWatch') return;
      for (const region of environment.regions.filter((each): each is string => typeof each === 'string')) {
        const stack = {
          environmentName: typeof environment.name === 'string' ? environment.name : '',
          accountId: environment.accountId,
          region,
          partition,
          configurationSet: set.name,
        };
        const resolved = resolveTarget(destination, stack);
        if (resolved === undefined) continue;
        const place = { accountId: environment.accountId, region, allowCrossAccount: destination.allowCrossAccount };
        for (const problem of targetViolations(resolved.target, place)) {
          const field = String(problem.path[0]);
          // What sesform creates is right by construction; only what the file wrote is checked.
          if (field === 'topicArn' && resolved.createdTopic) continue;
          if (field === 'iamRoleArn' && resolved.createdRole) continue;
          if (field === 'eventBusArn' && destination.eventBridge?.eventBusArn === undefined) continue;
          const path = [
            'configurationSets',
            setIndex,
            'eventDestinations',
            destinationIndex,
            kind,
            FIELD_NAMES[kind][field],
          ];
          const key = path.join('.');
          if (!found.has(key)) found.set(key, { path, message: problem.message });
        }
      }
    }),
  );
  return [...found.values()];
}
