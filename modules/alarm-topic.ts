import { SnsTopic, SnsTopicSubscription } from '../src/cdk/aws-provider';
import { Construct } from 'constructs';
import { SubscriptionProtocol, subscriptionId, subscriptionListViolations } from './alarm-rules';
import { RuleViolation, prefixed, quote } from './ses-rules';
import { SesValidationError } from './ses-validation-error';

/** Who hears an alarm: an email address (confirmed by its owner) or an https endpoint. */
export interface AlarmSubscription {
  readonly protocol: SubscriptionProtocol;
  /** The email address or https URL. */
  readonly endpoint: string;
}

export interface AlarmTopicProps {
  /** The topic's name: 1 to 256 letters, digits, "_" and "-". */
  readonly topicName: string;
  /**
   * Email addresses and https endpoints to notify. An email subscription stays pending until its
   * owner follows the link SNS mails; an https endpoint must answer SNS's confirmation request.
   * @default - none
   */
  readonly subscriptions?: readonly AlarmSubscription[];
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** An SNS topic for alarm and OK notifications, over `aws_sns_topic`, with its subscriptions. */
export class AlarmTopic extends Construct {
  /** The construct ID of a subscription: the same endpoint keeps its ID (and resource) wherever it is listed. */
  static subscriptionId(subscription: AlarmSubscription): string {
    return subscriptionId(subscription);
  }

  readonly resource: SnsTopic;
  readonly subscriptions: readonly SnsTopicSubscription[];
  /** The topic's ARN, for alarm actions. */
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    SesValidationError.throwIfAny(this.node.path, AlarmTopic.violations(props));
    this.resource = new SnsTopic(this, 'Resource', { name: props.topicName });
    this.topicArn = this.resource.arn;
    this.subscriptions = (props.subscriptions ?? []).map(
      (subscription) =>
        new SnsTopicSubscription(this, AlarmTopic.subscriptionId(subscription), {
          topicArn: this.resource.arn,
          protocol: subscription.protocol,
          endpoint: subscription.endpoint,
        }),
    );
  }

  private static violations(props: AlarmTopicProps): RuleViolation[] {
    const found: RuleViolation[] = [];
    if (!TOPIC_NAME.test(props.topicName))
      found.push({
        path: ['topicName'],
        message: `${quote(props.topicName)} is not an SNS topic name: use 1 to 256 letters, digits, "_" and "-".`,
      });
    found.push(...prefixed(['subscriptions'], subscriptionListViolations(props.subscriptions ?? [])));
    return found;
  }
}
