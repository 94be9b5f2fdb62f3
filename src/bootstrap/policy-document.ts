/** IAM policy documents as sesform writes them, the partition of an ARN, and what several policies share. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: string[];
  readonly Principal?: Record<string, string>;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

export { partitionOf } from '../../modules/event-targets';

/** An Allow statement on the distinct `resources`; none when there are no resources. */
export function allowStatement(
  Sid: string,
  Action: readonly string[],
  resources: readonly string[],
): PolicyStatement[] {
  const Resource = [...new Set(resources)];
  return Resource.length === 0 ? [] : [{ Sid, Effect: 'Allow', Action: [...Action], Resource }];
}

/** What the provider calls to manage an SNS topic sesform creates (the alarm topic, a destination's topic). */
export const TOPIC_ACTIONS = [
  'sns:CreateTopic',
  'sns:DeleteTopic',
  'sns:GetTopicAttributes',
  'sns:SetTopicAttributes',
  'sns:TagResource',
  'sns:UntagResource',
  'sns:ListTagsForResource',
] as const;
/** What a plan or a refresh reads of such a topic. */
export const TOPIC_READ_ACTIONS = ['sns:GetTopicAttributes', 'sns:ListTagsForResource'] as const;
