/**
 * What the deploy and plan roles need for SNS, EventBridge, Firehose and Pinpoint destinations, by
 * exact ARN: the topics and Firehose roles sesform creates (managed, or read by the plan role), and
 * `iam:PassRole` of each Firehose role to SES only (SES checks the caller may pass the role it names).
 * Topics, buses, streams and applications sesform only names need nothing: SES, not the caller,
 * publishes to them, under their own policies.
 */
import type { FleetStack } from '../fleet/fleet';
import { EventTopic } from '../../modules/event-topic';
import { FirehoseDeliveryRole } from '../../modules/firehose-delivery-role';
import { PolicyStatement, TOPIC_ACTIONS, TOPIC_READ_ACTIONS, allowStatement, partitionOf } from './policy-document';

const ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  // The provider lists a role's instance profiles before it deletes the role.
  'iam:ListInstanceProfilesForRole',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
];
const ROLE_READ_ACTIONS = ['iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:GetRolePolicy'];

function destinationsOf(stacks: readonly FleetStack[]) {
  return stacks.flatMap((stack) =>
    stack.configurationSets.flatMap((set) => set.destinations.map((destination) => ({ stack, destination }))),
  );
}

/** The statements for the stacks' non-CloudWatch destinations; `write` for the deploy role. */
export function destinationStatements(stacks: readonly FleetStack[], write: boolean): PolicyStatement[] {
  const topics: string[] = [];
  const roles: string[] = [];
  const passed: string[] = [];
  for (const { stack, destination } of destinationsOf(stacks)) {
    const where = { accountId: stack.accountId, region: stack.region, partition: partitionOf(stack.deployRole.arn) };
    for (const resource of destination.resources) {
      if (resource.kind === 'event topic') topics.push(EventTopic.arnOf({ ...where, topicName: resource.name }));
      if (resource.kind === 'firehose role')
        roles.push(FirehoseDeliveryRole.arnOf({ ...where, roleName: resource.name }));
    }
    if (destination.target?.kind === 'firehose') passed.push(destination.target.iamRoleArn);
  }
  if (!write)
    return [
      ...allowStatement('ReadEventTopicsItCreates', TOPIC_READ_ACTIONS, topics),
      ...allowStatement('ReadFirehoseRolesItCreates', ROLE_READ_ACTIONS, roles),
    ];
  const pass = [...new Set(passed)];
  return [
    ...allowStatement('ManageEventTopicsItCreates', TOPIC_ACTIONS, topics),
    ...allowStatement('ManageFirehoseRolesItCreates', ROLE_ACTIONS, roles),
    ...(pass.length === 0
      ? []
      : [
          {
            Sid: 'PassFirehoseRolesToSesOnly',
            Effect: 'Allow' as const,
            Action: ['iam:PassRole'],
            Resource: pass,
            Condition: { StringEquals: { 'iam:PassedToService': 'ses.amazonaws.com' } },
          },
        ]),
  ];
}
