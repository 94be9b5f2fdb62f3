/**
 * The SES vocabulary: event types, dimension value sources and policy choices, with the v2 API's
 * wire values (what `aws_sesv2_*` resources take).
 */

/** A sending event that SES can publish to an event destination. */
export enum EmailSendingEvent {
  /** The send request succeeded and SES will try to deliver the message. */
  SEND = 'SEND',
  /** SES accepted the message, then rejected it because it contained a virus. */
  REJECT = 'REJECT',
  /** A hard bounce: the recipient's mail server permanently rejected the message. Soft bounces count only once retries run out. */
  BOUNCE = 'BOUNCE',
  /** The recipient marked the message as spam. */
  COMPLAINT = 'COMPLAINT',
  /** The recipient's mail server accepted the message. */
  DELIVERY = 'DELIVERY',
  /** The recipient opened the message (needs open tracking). */
  OPEN = 'OPEN',
  /** The recipient clicked a link in the message (needs click tracking). */
  CLICK = 'CLICK',
  /** A template failed to render; only from SendTemplatedEmail and SendBulkTemplatedEmail. */
  RENDERING_FAILURE = 'RENDERING_FAILURE',
  /** Delivery is delayed by a temporary problem (SES v2 only). */
  DELIVERY_DELAY = 'DELIVERY_DELAY',
  /** The recipient changed their subscription preferences (SES v2 only). */
  SUBSCRIPTION = 'SUBSCRIPTION',
}

/** The CloudWatch namespace of everything SES publishes. */
export const SES_NAMESPACE = 'AWS/SES';
/**
 * The CloudWatch metric SES publishes for each event type (CloudWatch User Guide, "Amazon SES metrics and
 * dimensions": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ses-metricscollected.html).
 */
export const METRIC_NAMES: Readonly<Record<EmailSendingEvent, string>> = {
  [EmailSendingEvent.SEND]: 'Send',
  [EmailSendingEvent.DELIVERY]: 'Delivery',
  [EmailSendingEvent.BOUNCE]: 'Bounce',
  [EmailSendingEvent.COMPLAINT]: 'Complaint',
  [EmailSendingEvent.REJECT]: 'Reject',
  [EmailSendingEvent.OPEN]: 'Open',
  [EmailSendingEvent.CLICK]: 'Click',
  [EmailSendingEvent.RENDERING_FAILURE]: 'Rendering Failure',
  [EmailSendingEvent.DELIVERY_DELAY]: 'DeliveryDelay',
  [EmailSendingEvent.SUBSCRIPTION]: 'Subscription',
};

/** The console and v1 API spelling of each event type, which users may write instead of the v2 one. */
export const EVENT_TYPE_V1_SPELLING: Readonly<Record<EmailSendingEvent, string>> = {
  [EmailSendingEvent.SEND]: 'send',
  [EmailSendingEvent.REJECT]: 'reject',
  [EmailSendingEvent.BOUNCE]: 'bounce',
  [EmailSendingEvent.COMPLAINT]: 'complaint',
  [EmailSendingEvent.DELIVERY]: 'delivery',
  [EmailSendingEvent.OPEN]: 'open',
  [EmailSendingEvent.CLICK]: 'click',
  [EmailSendingEvent.RENDERING_FAILURE]: 'renderingFailure',
  [EmailSendingEvent.DELIVERY_DELAY]: 'deliveryDelay',
  [EmailSendingEvent.SUBSCRIPTION]: 'subscription',
};

/** An event type in either accepted spelling: `renderingFailure` or `RENDERING_FAILURE`. */
export type EventTypeName =
  | EmailSendingEvent
  | `${EmailSendingEvent}`
  | 'send'
  | 'reject'
  | 'bounce'
  | 'complaint'
  | 'delivery'
  | 'open'
  | 'click'
  | 'renderingFailure'
  | 'deliveryDelay'
  | 'subscription';

/** Where a CloudWatch dimension takes its value from, for each message. */
export enum CloudWatchDimensionSource {
  /** A message tag: the `X-SES-MESSAGE-TAGS` header or the API's Tags parameter; also SES's auto-tags such as `ses:configuration-set`. */
  MESSAGE_TAG = 'MESSAGE_TAG',
  /** One of your own MIME headers, named by the dimension name. Names and values must be ASCII or SES drops the metric silently. */
  EMAIL_HEADER = 'EMAIL_HEADER',
  /** A tag on a tracked link (click events). */
  LINK_TAG = 'LINK_TAG',
}

/** The configuration-file spelling of each value source, which users may write instead of the v2 one. */
export const DIMENSION_SOURCE_CONFIG_SPELLING: Readonly<Record<CloudWatchDimensionSource, string>> = {
  [CloudWatchDimensionSource.MESSAGE_TAG]: 'messageTag',
  [CloudWatchDimensionSource.EMAIL_HEADER]: 'emailHeader',
  [CloudWatchDimensionSource.LINK_TAG]: 'linkTag',
};

/** A value source in either accepted spelling: `messageTag` or `MESSAGE_TAG`. */
export type DimensionSourceName =
  CloudWatchDimensionSource | `${CloudWatchDimensionSource}` | 'messageTag' | 'emailHeader' | 'linkTag';

/** Whether messages sent with the configuration set must travel over TLS. */
export enum ConfigurationSetTlsPolicy {
  /** Deliver only over TLS; a receiving server without TLS gets no message. */
  REQUIRE = 'REQUIRE',
  /** Use TLS when the receiving server offers it (the SES default). */
  OPTIONAL = 'OPTIONAL',
}

/** Whether open and click tracking links on the custom redirect domain use HTTPS. */
export enum TrackingHttpsPolicy {
  /** Both open and click tracking use HTTPS. */
  REQUIRE = 'REQUIRE',
  /** Open tracking uses HTTPS; click tracking keeps the link's own scheme. */
  REQUIRE_OPEN_ONLY = 'REQUIRE_OPEN_ONLY',
  /** HTTP everywhere (the SES default). */
  OPTIONAL = 'OPTIONAL',
}

/** Why SES adds a recipient to the account's suppression list. */
export enum SuppressionReason {
  /** The address hard-bounced. */
  BOUNCE = 'BOUNCE',
  /** The recipient complained. */
  COMPLAINT = 'COMPLAINT',
}

/** Tags that SES adds to every message; use the tag name itself as a message-tag dimension name. */
export const SES_AUTO_TAGS = [
  'ses:configuration-set',
  'ses:caller-identity',
  'ses:from-domain',
  'ses:source-ip',
  'ses:outgoing-ip',
  'ses:source-tls-version',
  'ses:outgoing-tls-version',
] as const;

/** An auto-tag that SES adds to every message. */
export type SesAutoTag = (typeof SES_AUTO_TAGS)[number];

/** Whether a dimension name is one of SES's auto-tags (SES fills it on every message). */
export const isAutoTag = (name: string): name is SesAutoTag => (SES_AUTO_TAGS as readonly string[]).includes(name);

/** Every accepted spelling of an event type: the v2 enum values, then the v1 spellings. */
export const EVENT_TYPE_NAMES = [
  ...Object.values(EmailSendingEvent),
  ...Object.values(EVENT_TYPE_V1_SPELLING),
] as unknown as readonly [Exclude<EventTypeName, EmailSendingEvent>, ...Exclude<EventTypeName, EmailSendingEvent>[]];

/** Every accepted spelling of a dimension value source. */
export const DIMENSION_SOURCE_NAMES = [
  ...Object.values(DIMENSION_SOURCE_CONFIG_SPELLING),
  ...Object.values(CloudWatchDimensionSource),
] as unknown as readonly [
  Exclude<DimensionSourceName, CloudWatchDimensionSource>,
  ...Exclude<DimensionSourceName, CloudWatchDimensionSource>[],
];
