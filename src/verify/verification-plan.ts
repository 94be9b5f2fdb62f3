/**
 * What `sesform verify` sends through each configuration set and which CloudWatch series it then
 * expects, from the fleet model. SES produces some events on demand through the mailbox simulator
 * (Send, Delivery, Bounce, Complaint) or a template whose data lacks a value (Rendering Failure);
 * opens and clicks need a person and a mail client on AWS (the emulator simulates them through its
 * engagement call); Reject needs a virus, DeliveryDelay a deferring server, Subscription a person.
 * Metric names: CloudWatch User Guide, "Amazon SES metrics and dimensions"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ses-metricscollected.html).
 */
import { carriesValue, originOf } from '../../modules/publishing-rules';
import { EmailSendingEvent, METRIC_NAMES, isAutoTag } from '../../modules/ses-enums';
import type { FleetConfigurationSet, FleetDestination, FleetStack } from '../fleet/fleet';
import type { ExpectedDimension } from '../report/verify-report';
import { ContractField, senderContract } from './sender-contract';
import { DESTINATION_KIND_NAMES, targetResource } from '../../modules/event-targets';
import type { ExpectedRecord } from './event-records';

export { METRIC_NAMES, SES_NAMESPACE } from '../../modules/ses-enums';

/** The mailbox simulator's addresses (real SES; no effect on reputation or quotas' bounce rates). */
export const SIMULATOR = {
  success: 'success@simulator.amazonses.com',
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

/** The value `--probe` gives each tag, header and link-tag dimension: a series of its own per destination. */
export const PROBE_VALUE = 'sesform-probe';
/** The link every test message carries, so that the emulator can simulate a click on it. */
export const TEST_LINK = 'https://example.com/sesform-verify';

export type TestMessageKind = 'success' | 'bounce' | 'complaint' | 'rendering-failure';

/** One test message through a set. `engage`: opens and clicks the emulator simulates afterwards. */
export interface TestMessage {
  readonly kind: TestMessageKind;
  readonly recipient: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly linkTags: Readonly<Record<string, string>>;
  readonly engage: readonly ('OPEN' | 'CLICK')[];
}

export interface ExpectedSeries {
  readonly configurationSet: string;
  readonly destination: string;
  readonly eventType: EmailSendingEvent;
  readonly metricName: string;
  readonly dimensions: readonly ExpectedDimension[];
}

export interface NotVerifiable {
  readonly configurationSet: string;
  readonly destination: string;
  readonly eventType?: EmailSendingEvent;
  readonly reason: string;
}

export interface SetPlan {
  readonly configurationSet: string;
  /** Why nothing is sent through the set, when nothing is. */
  readonly skipped?: string;
  readonly messages: readonly TestMessage[];
}

export interface VerificationPlan {
  readonly stack: FleetStack;
  readonly from: string;
  readonly sets: readonly SetPlan[];
  readonly expected: readonly ExpectedSeries[];
  /** Event records expected at SNS, EventBridge and Firehose targets (read in local mode only). */
  readonly records: readonly ExpectedRecord[];
  readonly notVerifiable: readonly NotVerifiable[];
}

export interface PlanOptions {
  readonly local: boolean;
  readonly probe: boolean;
  readonly from: string;
}

/** Why an event type cannot be produced on demand, or undefined when verify can produce it. */
export function whyNotOnDemand(eventType: EmailSendingEvent, local: boolean): string | undefined {
  switch (eventType) {
    case EmailSendingEvent.OPEN:
    case EmailSendingEvent.CLICK:
      return local
        ? undefined
        : `SES publishes ${METRIC_NAMES[eventType]} when a recipient's mail client ${eventType === EmailSendingEvent.OPEN ? 'loads the tracking image' : 'follows a tracked link'}: not on demand.`;
    case EmailSendingEvent.REJECT:
      return 'SES rejects only a message that carries a virus: no test message produces Reject.';
    case EmailSendingEvent.DELIVERY_DELAY:
      return 'DeliveryDelay needs a receiving server that defers the message: the mailbox simulator has none.';
    case EmailSendingEvent.SUBSCRIPTION:
      return 'Subscription needs a recipient who changes their subscription preferences: not on demand.';
    default:
      return undefined;
  }
}

/** The message kind that produces an event type (Send comes with every message). */
const PRODUCED_BY: Partial<Record<EmailSendingEvent, TestMessageKind>> = {
  [EmailSendingEvent.SEND]: 'success',
  [EmailSendingEvent.DELIVERY]: 'success',
  [EmailSendingEvent.OPEN]: 'success',
  [EmailSendingEvent.CLICK]: 'success',
  [EmailSendingEvent.BOUNCE]: 'bounce',
  [EmailSendingEvent.COMPLAINT]: 'complaint',
  [EmailSendingEvent.RENDERING_FAILURE]: 'rendering-failure',
};

const RECIPIENT: Record<TestMessageKind, string> = {
  success: SIMULATOR.success,
  bounce: SIMULATOR.bounce,
  complaint: SIMULATOR.complaint,
  // Rendering fails before delivery: the simulator's success address, never reached.
  'rendering-failure': SIMULATOR.success,
};

/** The domain of an address or domain identity. */
export function domainOf(identity: string): string {
  return identity.includes('@') ? identity.slice(identity.lastIndexOf('@') + 1) : identity;
}

/** The address verify sends from: the identity itself, or an address at a domain identity. */
export function senderAddress(identity: string): string {
  return identity.includes('@') ? identity : `sesform-verify@${identity}`;
}

/** SES's own value of an auto-tag when verify knows it in advance; undefined otherwise. */
function autoTagValue(name: string, configurationSet: string, from: string): string | undefined {
  if (name === 'ses:configuration-set') return configurationSet;
  if (name === 'ses:from-domain') return domainOf(from);
  return undefined;
}

/**
 * The value each dimension takes on a test message's series (the probe value, the default, or SES's),
 * by the publishing rules: SES's own for auto-tags; the probe only on event types that carry the
 * dimension's value (a link tag on clicks), the default on the others.
 */
function expectedDimensions(
  destination: FleetDestination,
  eventType: EmailSendingEvent,
  { probe, from }: PlanOptions,
): ExpectedDimension[] {
  return destination.dimensions.map((dimension) => {
    if (isAutoTag(originOf(dimension)))
      return { name: dimension.name, value: autoTagValue(dimension.name, destination.configurationSet, from) };
    const probed = probe && carriesValue(dimension, eventType);
    return { name: dimension.name, value: probed ? PROBE_VALUE : dimension.defaultValue };
  });
}

/** What a probe message carries: the probe value in every field of the set's sender contract. */
function probeFields(set: FleetConfigurationSet) {
  const contract = senderContract(set);
  const probed = (fields: readonly ContractField[]) =>
    Object.fromEntries(fields.map((field) => [field.name, PROBE_VALUE]));
  return { tags: probed(contract.messageTags), headers: probed(contract.headers), linkTags: probed(contract.linkTags) };
}

export function verificationPlan(stack: FleetStack, options: PlanOptions): VerificationPlan {
  const sets: SetPlan[] = [];
  const expected: ExpectedSeries[] = [];
  const records: ExpectedRecord[] = [];
  const notVerifiable: NotVerifiable[] = [];
  for (const set of stack.configurationSets) {
    const destinations = set.destinations.filter((destination) => destination.enabled);
    for (const destination of set.destinations.filter((each) => !each.enabled))
      notVerifiable.push({
        configurationSet: set.name,
        destination: destination.name,
        reason: 'disabled in the environment file: it publishes nothing, as declared.',
      });
    if (set.definition.sendingEnabled === false) {
      sets.push({
        configurationSet: set.name,
        skipped: 'sending is disabled for this set in the environment file: verify cannot send through it.',
        messages: [],
      });
      for (const destination of destinations)
        notVerifiable.push({
          configurationSet: set.name,
          destination: destination.name,
          reason: 'the set does not send (sendingEnabled: false), so it publishes nothing to verify.',
        });
      continue;
    }
    const kinds = new Set<TestMessageKind>();
    const engage = new Set<'OPEN' | 'CLICK'>();
    for (const destination of destinations)
      for (const eventType of destination.eventTypes) {
        const reason = whyNotOnDemand(eventType, options.local);
        if (reason !== undefined) {
          notVerifiable.push({ configurationSet: set.name, destination: destination.name, eventType, reason });
          continue;
        }
        kinds.add(PRODUCED_BY[eventType]!);
        if (eventType === EmailSendingEvent.OPEN || eventType === EmailSendingEvent.CLICK) engage.add(eventType);
        if (destination.target !== undefined) {
          const unreadable = whyRecordsUnread(destination, options.local);
          // The messages are still sent: the team's own consumer can look for their records.
          if (unreadable !== undefined)
            notVerifiable.push({
              configurationSet: set.name,
              destination: destination.name,
              eventType,
              reason: unreadable,
            });
          else
            records.push({
              configurationSet: set.name,
              destination: destination.name,
              eventType,
              target: destination.target,
            });
          continue;
        }
        expected.push({
          configurationSet: set.name,
          destination: destination.name,
          eventType,
          metricName: METRIC_NAMES[eventType],
          dimensions: expectedDimensions(destination, eventType, options),
        });
      }
    const fields = options.probe ? probeFields(set) : { tags: {}, headers: {}, linkTags: {} };
    const order: TestMessageKind[] = ['success', 'bounce', 'complaint', 'rendering-failure'];
    sets.push({
      configurationSet: set.name,
      messages: order
        .filter((kind) => kinds.has(kind))
        .map((kind) => ({
          kind,
          recipient: RECIPIENT[kind],
          ...fields,
          engage: kind === 'success' ? [...engage] : [],
        })),
    });
  }
  return { stack, from: options.from, sets, expected, records, notVerifiable };
}

/**
 * Why verify cannot read a destination's records itself: on AWS it would have to subscribe to the
 * team's topic, add a rule to its bus or read its stream's bucket, which the deploy role may not and
 * should not do; the emulator keeps no Pinpoint event stream.
 */
function whyRecordsUnread(destination: FleetDestination, local: boolean): string | undefined {
  const target = destination.target!;
  const kind = DESTINATION_KIND_NAMES[destination.kind];
  if (target.kind === 'pinpoint')
    return `SES publishes to Pinpoint application ${targetResource(target)}, whose event stream verify cannot read: check it in Pinpoint's analytics.`;
  if (local) return undefined;
  return `on AWS verify reads CloudWatch only: SES publishes these records to ${kind} ${targetResource(target)}; check with your own consumer (${CONSUMER[target.kind]}) that a record of this run's test messages arrived.`;
}

const CONSUMER: Readonly<Record<string, string>> = {
  sns: "the topic's subscribers",
  eventBridge: 'a rule on the default bus for source "aws.ses"',
  firehose: "the stream's destination",
};

/** The distinct series a probe run adds (each is a custom metric for its month). */
export function probeSeries(plans: readonly VerificationPlan[]): ExpectedSeries[] {
  return plans.flatMap((plan) =>
    plan.expected.filter((series) => series.dimensions.some((dimension) => dimension.value === PROBE_VALUE)),
  );
}
