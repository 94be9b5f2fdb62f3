/**
 * What a plan or a drift check changes, in SES words: the model the engine fills from Terraform's
 * plan JSON and the fleet model, and every report renders.
 */

export type ResourceAction = 'create' | 'update' | 'replace' | 'delete' | 'import';

export interface ResourceCounts {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly import: number;
}

/** A value absent on one side is left out (a set option removed, a tag added). */
export interface ValueChange {
  /** In SES words: "sending enabled", "tls policy", "tag team". */
  readonly attribute: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** The values are text for people as they are ("2.5%"), not quoted. */
  readonly plain?: boolean;
}

export interface DimensionValues {
  /** MESSAGE_TAG, EMAIL_HEADER or LINK_TAG. */
  readonly source: string;
  readonly defaultValue: string;
}

export interface DimensionChange {
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: DimensionValues;
  readonly after?: DimensionValues;
}

/** What differs in one set or destination, in SES words. */
export interface ResourceDiff {
  /** Every other value that differs: enabled, set options, tags. */
  readonly changes: readonly ValueChange[];
  readonly eventTypesAdded: readonly string[];
  readonly eventTypesRemoved: readonly string[];
  readonly dimensions: readonly DimensionChange[];
}

export interface SetChange extends ResourceDiff {
  readonly address: string;
  readonly name: string;
  readonly action: ResourceAction;
}

export interface DestinationChange extends ResourceDiff {
  readonly address: string;
  readonly configurationSet: string;
  readonly name: string;
  readonly action: ResourceAction;
  /** The estimate recorded when the current state was applied; null when none was recorded. */
  readonly metricsBefore: number | null;
  /** The fleet model's estimate of what the plan leaves; 0 when destroyed. */
  readonly metricsAfter: number;
  /** Created or left disabled (enabled: false): it publishes nothing, so its metrics are 0. */
  readonly disabled?: true;
}

/** An alarm, the alarm topic, a subscription, the dashboard, or a topic or role created for a destination. */
export interface MonitoringChange {
  readonly address: string;
  readonly kind: MonitoringKind;
  /** In SES words: "transactional bounce rate", "email ses-oncall@example.com". */
  readonly name: string;
  readonly action: ResourceAction;
  readonly changes: readonly ValueChange[];
  /** Accounts other than the stack's whose SNS topics the alarm notifies (allowCrossAccount). */
  readonly notifiesAccounts?: readonly string[];
}

export interface StackChanges {
  /** Changes to configuration sets, destinations and monitoring (the metric record is not counted). */
  readonly counts: ResourceCounts;
  readonly configurationSets: readonly SetChange[];
  readonly destinations: readonly DestinationChange[];
  /** Alarms, the alarm topic, subscriptions and the dashboard. */
  readonly monitoring?: readonly MonitoringChange[];
  /** Custom metrics of all the stack's destinations: recorded (null when unknown) and after the plan. */
  readonly metrics: { readonly before: number | null; readonly after: number };
  /** The plan writes the metric record (first record, or the estimates changed): worth applying on its own. */
  readonly recordUpdate?: 'create' | 'update';
  /** The environment's deploy role changes: the role every later apply of the stack runs with. */
  readonly deployRole?: { readonly before: string; readonly after: string };
}

export interface DriftedResource {
  readonly address: string;
  /** "configuration set", "event destination", or the Terraform type. */
  readonly kind: string;
  readonly name: string;
  /** `deleted`: gone from AWS; `changed`: see `diff`. */
  readonly change: 'changed' | 'deleted';
  /** Before: as declared and applied (the state); after: what the account holds now. */
  readonly diff: ResourceDiff;
}

export type MonitoringKind =
  | 'alarm'
  | 'alarm topic'
  | 'subscription'
  | 'dashboard'
  // What sesform creates for a destination: an SNS topic (topicName), a Firehose role (createRole).
  | 'event topic'
  | 'firehose role'
  | 'firehose role policy';

export interface UnmanagedDestination {
  readonly configurationSet: string;
  readonly name: string;
}

export interface AcknowledgedFinding {
  readonly kind: 'configuration set' | 'destination';
  /** The set, or `set/destination`. */
  readonly name: string;
  readonly reason: string;
  readonly expires?: string;
}

export interface ExpiredFinding extends AcknowledgedFinding {
  readonly expired: true;
}
