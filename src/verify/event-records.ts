/**
 * What `sesform verify --local` reads to see that SNS, EventBridge and Firehose destinations receive
 * the test messages' events: a temporary SQS queue subscribed to each topic (raw delivery), a temporary
 * rule on the default bus that forwards SES's events to a queue, and the new objects in each delivery
 * stream's S3 bucket. Each listener is removed when the run ends, whatever its outcome. A record counts
 * when it is about one of this run's messages (mail.messageId) and of the expected event type.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { accountClientConfig } from '../aws/account-access';
import { EventTarget, configurationSetArn, partitionOf, targetResource } from '../../modules/event-targets';
import { EmailSendingEvent, METRIC_NAMES } from '../../modules/ses-enums';

/** One event type SES should publish to a destination's target for the test messages. */
export interface ExpectedRecord {
  readonly configurationSet: string;
  readonly destination: string;
  readonly eventType: EmailSendingEvent;
  readonly target: EventTarget;
}

/** The `eventType` word of SES's event record (the metric name, "Rendering Failure" included). */
export const RECORD_EVENT_TYPES: Readonly<Record<EmailSendingEvent, string>> = METRIC_NAMES;

/** What a record of SES's event publishing holds that verify reads. */
interface EventRecord {
  readonly eventType?: string;
  readonly mail?: { readonly messageId?: string; readonly tags?: Record<string, string[]> };
}

/** A record seen at a target: `${resource}|${set}|${eventType word}`. */
export function recordKey(resource: string, configurationSet: string, eventType: string): string {
  return `${resource}|${configurationSet}|${eventType}`;
}

interface Listener {
  /** The records that arrived since the last read. */
  read(): Promise<{ resource: string; record: EventRecord }[]>;
  close(): Promise<void>;
}

/** An account client's settings (accountClientConfig): region, credentials, endpoint. */
type ClientConfig = Awaited<ReturnType<typeof accountClientConfig>>;

/** Listeners on every distinct target of `expected`, opened before the test messages are sent. */
export class RecordListeners {
  static async open(
    config: ClientConfig,
    expected: readonly ExpectedRecord[],
    where: { accountId: string; region: string },
  ): Promise<RecordListeners> {
    const listeners = new RecordListeners(config);
    try {
      const seen = new Set<string>();
      for (const { target, configurationSet } of expected) {
        const resource = targetResource(target);
        if (seen.has(resource)) continue;
        seen.add(resource);
        listeners.listeners.push(await listeners.listen(target, configurationSet, where));
      }
    } catch (error) {
      await listeners.close();
      throw error;
    }
    return listeners;
  }

  private readonly listeners: Listener[] = [];
  private readonly sqs: SQSClient;
  private readonly found = new Set<string>();

  private constructor(private readonly config: ClientConfig) {
    this.sqs = new SQSClient(config);
  }

  /** Reads what arrived; the keys (recordKey) of this run's records seen so far. */
  async poll(messageIds: ReadonlySet<string>): Promise<ReadonlySet<string>> {
    for (const listener of this.listeners)
      for (const { resource, record } of await listener.read()) {
        const set = record.mail?.tags?.['ses:configuration-set']?.[0];
        if (record.mail?.messageId === undefined || !messageIds.has(record.mail.messageId)) continue;
        if (set !== undefined && record.eventType !== undefined)
          this.found.add(recordKey(resource, set, record.eventType));
      }
    return this.found;
  }

  /** Removes every queue, subscription and rule it made; a failure to remove one does not stop the rest. */
  async close(): Promise<void> {
    await Promise.allSettled(this.listeners.map((listener) => listener.close()));
    this.sqs.destroy();
  }

  private async queue(): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: `sesform-verify-${randomUUID()}` }));
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  }

  private async drain(url: string, unwrap: (body: EventRecord & { detail?: EventRecord }) => EventRecord) {
    const records: EventRecord[] = [];
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return records;
      for (const message of Messages) {
        const parsed = parseRecord(message.Body);
        if (parsed !== undefined) records.push(unwrap(parsed));
      }
    }
  }

  private async listen(
    target: EventTarget,
    configurationSet: string,
    where: { accountId: string; region: string },
  ): Promise<Listener> {
    const resource = targetResource(target);
    switch (target.kind) {
      case 'sns': {
        const sns = new SNSClient(this.config);
        const queue = await this.queue();
        const { SubscriptionArn } = await sns.send(
          new SubscribeCommand({
            TopicArn: target.topicArn,
            Protocol: 'sqs',
            Endpoint: queue.arn,
            Attributes: { RawMessageDelivery: 'true' },
            ReturnSubscriptionArn: true,
          }),
        );
        return {
          read: async () => (await this.drain(queue.url, (body) => body)).map((record) => ({ resource, record })),
          close: async () => {
            await sns.send(new UnsubscribeCommand({ SubscriptionArn })).finally(() => sns.destroy());
            await this.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
          },
        };
      }
      case 'eventBridge': {
        const events = new EventBridgeClient(this.config);
        const queue = await this.queue();
        const rule = `sesform-verify-${randomUUID()}`.slice(0, 64);
        const setArn = configurationSetArn(where.accountId, where.region, configurationSet, partitionOf(resource));
        await events.send(
          new PutRuleCommand({
            Name: rule,
            EventBusName: target.eventBusArn,
            EventPattern: JSON.stringify({ source: ['aws.ses'], resources: [setArn] }),
          }),
        );
        await events.send(
          new PutTargetsCommand({
            Rule: rule,
            EventBusName: target.eventBusArn,
            Targets: [{ Id: 'queue', Arn: queue.arn }],
          }),
        );
        return {
          read: async () =>
            (await this.drain(queue.url, (body) => body.detail ?? {})).map((record) => ({ resource, record })),
          close: async () => {
            await events.send(
              new RemoveTargetsCommand({ Rule: rule, EventBusName: target.eventBusArn, Ids: ['queue'] }),
            );
            await events
              .send(new DeleteRuleCommand({ Name: rule, EventBusName: target.eventBusArn }))
              .finally(() => events.destroy());
            await this.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
          },
        };
      }
      case 'firehose':
        return this.listenToStream(target.deliveryStreamArn);
      case 'pinpoint':
        throw new Error(`verify cannot read a Pinpoint application's events (${resource})`);
    }
  }

  /** A delivery stream's S3 bucket: the objects that appear after the listener opened. */
  private async listenToStream(deliveryStreamArn: string): Promise<Listener> {
    const firehose = new FirehoseClient(this.config);
    const { DeliveryStreamDescription } = await firehose
      .send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: deliveryStreamArn.split('/').pop()! }))
      .finally(() => firehose.destroy());
    const destination = DeliveryStreamDescription?.Destinations?.[0];
    const s3Destination = destination?.ExtendedS3DestinationDescription ?? destination?.S3DestinationDescription;
    if (s3Destination?.BucketARN === undefined)
      throw new Error(`delivery stream ${deliveryStreamArn} has no S3 destination verify can read`);
    const bucket = s3Destination.BucketARN.split(':').pop()!;
    const prefix = s3Destination.Prefix ?? '';
    const s3 = new S3Client({ ...this.config, forcePathStyle: true });
    const keys = async () => {
      const found: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
        found.push(...(page.Contents ?? []).map((object) => object.Key!));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      return found;
    };
    const read = new Set(await keys());
    return {
      read: async () => {
        const records: { resource: string; record: EventRecord }[] = [];
        for (const key of await keys()) {
          if (read.has(key)) continue;
          read.add(key);
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const text = (await object.Body?.transformToString()) ?? '';
          for (const line of text.split('\n')) {
            const record = parseRecord(line);
            if (record !== undefined) records.push({ resource: deliveryStreamArn, record });
          }
        }
        return records;
      },
      close: async () => s3.destroy(),
    };
  }
}

/** A record read back: JSON of an object, or nothing (what arrives is not trusted to be SES's). */
function parseRecord(text: string | undefined): (EventRecord & { detail?: EventRecord }) | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EventRecord) : undefined;
  } catch {
    return undefined;
  }
}
