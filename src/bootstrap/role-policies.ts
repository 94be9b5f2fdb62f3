/**
 * The least-privilege policies of the two roles sesform uses in an environment's account, derived
 * from the environment file:
 * - the deploy role (rollout, apply): the SES v2 configuration-set actions on this environment's sets
 *   in its regions, its own state keys (state and lock file), the list of configuration sets that
 *   `sesform drift` reads to find sets no environment declares, and, with verify.from, what
 *   `sesform verify` needs (SendEmail from that identity through the sets, CloudWatch reads), and
 *   with monitoring its alarms, dashboards and alarm topic (monitoring-policies.ts), and the topics and
 *   Firehose roles it creates for destinations (destination-policies.ts);
 * - the plan role (`plan --read-only` on pull requests, `drift --read-only`): the same sets and state
 *   read only; the one object it writes is Terraform's lock file beside each state.
 * Nothing else, no wildcard action.
 */
import type { AssumedRole, FleetStack } from '../fleet/fleet';
import { monitoringStatements } from './monitoring-policies';
import { destinationStatements } from './destination-policies';
import { PolicyDocument, PolicyStatement, partitionOf } from './policy-document';

/** Every SES v2 action the provider needs to manage a configuration set and its event destinations. */
export const CONFIGURATION_SET_ACTIONS = [
  'ses:CreateConfigurationSet',
  'ses:GetConfigurationSet',
  'ses:DeleteConfigurationSet',
  'ses:PutConfigurationSetDeliveryOptions',
  'ses:PutConfigurationSetReputationOptions',
  'ses:PutConfigurationSetSendingOptions',
  'ses:PutConfigurationSetSuppressionOptions',
  'ses:PutConfigurationSetTrackingOptions',
  'ses:PutConfigurationSetVdmOptions',
  'ses:CreateConfigurationSetEventDestination',
  'ses:GetConfigurationSetEventDestinations',
  'ses:UpdateConfigurationSetEventDestination',
  'ses:DeleteConfigurationSetEventDestination',
  'ses:TagResource',
  'ses:UntagResource',
  'ses:ListTagsForResource',
] as const;

/** The SES v2 actions a plan or a refresh calls: reads only. */
export const CONFIGURATION_SET_READ_ACTIONS = [
  'ses:GetConfigurationSet',
  'ses:GetConfigurationSetEventDestinations',
  'ses:ListTagsForResource',
] as const;

const configurationSetArns = (stacks: readonly FleetStack[]) =>
  stacks.flatMap((stack) =>
    stack.configurationSets.map(
      (set) =>
        `arn:${partitionOf(stack.deployRole.arn)}:ses:${stack.region}:${stack.accountId}:configuration-set/${set.name}`,
    ),
  );

const bucketArn = (stack: FleetStack) => `arn:${partitionOf(stack.deployRole.arn)}:s3:::${stack.state.bucket}`;
const stateArns = (stacks: readonly FleetStack[]) => stacks.map((stack) => `${bucketArn(stack)}/${stack.state.key}`);
const lockArns = (stacks: readonly FleetStack[]) =>
  stacks.map((stack) => `${bucketArn(stack)}/${stack.state.key}.tflock`);

/** What both roles may do: list the account's set names, and list their own state keys. */
function listStatements(stacks: readonly FleetStack[]): PolicyStatement[] {
  return [
    {
      // A list action has no resource type: it takes "*". It reads names only.
      Sid: 'ListConfigurationSetsForDrift',
      Effect: 'Allow',
      Action: ['ses:ListConfigurationSets'],
      Resource: ['*'],
    },
    {
      Sid: 'ListOwnStateKeys',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [...new Set(stacks.map(bucketArn))],
      Condition: { StringLike: { 's3:prefix': stacks.map((stack) => stack.state.key) } },
    },
  ];
}

/** A role's policy: SES actions on the environment's sets, the list statements, then its state access. */
function accountRolePolicy(
  stacks: readonly FleetStack[],
  sets: { Sid: string; Action: readonly string[] },
  state: PolicyStatement[],
): PolicyDocument {
  const configurationSets = configurationSetArns(stacks);
  return {
    Version: '2012-10-17',
    Statement: [
      ...(configurationSets.length > 0
        ? [{ Sid: sets.Sid, Effect: 'Allow' as const, Action: [...sets.Action], Resource: configurationSets }]
        : []),
      ...listStatements(stacks),
      ...state,
    ],
  };
}

/** The deploy role's policy for the stacks that use it (the regions of one environment, usually). */
export function deployRolePolicy(stacks: readonly FleetStack[]): PolicyDocument {
  return accountRolePolicy(
    stacks,
    { Sid: 'ManageThisEnvironmentsConfigurationSets', Action: CONFIGURATION_SET_ACTIONS },
    [
      {
        Sid: 'ReadWriteOwnStateAndLock',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: stacks.flatMap((stack) => [...stateArns([stack]), ...lockArns([stack])]),
      },
      ...verifyStatements(stacks),
      ...monitoringStatements(stacks, true),
      ...destinationStatements(stacks, true),
    ],
  );
}

/**
 * What `sesform verify` needs, for environments that declare verify.from: sending from that identity
 * through their own sets (SES authorizes SendEmail on both), and reading CloudWatch's SES metrics.
 */
function verifyStatements(stacks: readonly FleetStack[]): PolicyStatement[] {
  const verifying = stacks.filter((stack) => stack.environment.verify !== undefined);
  if (verifying.length === 0) return [];
  const identities = verifying.map(
    (stack) =>
      `arn:${partitionOf(stack.deployRole.arn)}:ses:${stack.region}:${stack.accountId}:identity/${stack.environment.verify!.from}`,
  );
  return [
    {
      Sid: 'VerifySendsTestMailFromItsIdentityThroughOwnSets',
      Effect: 'Allow',
      Action: ['ses:SendEmail'],
      Resource: [...new Set(identities), ...configurationSetArns(verifying)],
    },
    {
      // ListMetrics and GetMetricData have no resource type in IAM: they take "*". Both only read.
      Sid: 'VerifyReadsMetricsListAndDataTakeNoResource',
      Effect: 'Allow',
      Action: ['cloudwatch:ListMetrics', 'cloudwatch:GetMetricData'],
      Resource: ['*'],
    },
  ];
}

/**
 * The plan role's policy: what `terraform plan` and a refresh read. It writes nothing, not even the
 * state's lock file: plans through it run with `-lock=false` (a plan writes no state), so code a pull
 * request runs with this role can neither plant a lock that blocks the rollout nor delete a live one.
 */
export function planRolePolicy(stacks: readonly FleetStack[]): PolicyDocument {
  return accountRolePolicy(
    stacks,
    { Sid: 'ReadThisEnvironmentsConfigurationSets', Action: CONFIGURATION_SET_READ_ACTIONS },
    [
      { Sid: 'ReadOwnState', Effect: 'Allow', Action: ['s3:GetObject'], Resource: stateArns(stacks) },
      ...monitoringStatements(stacks, false),
      ...destinationStatements(stacks, false),
    ],
  );
}

/** Trust of a role in the environment's account: only the given principal, with the external ID when set. */
export function accountRoleTrustPolicy(principal: string, role: Pick<AssumedRole, 'externalId'>): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        ...(role.externalId ? { Condition: { StringEquals: { 'sts:ExternalId': role.externalId } } } : {}),
      },
    ],
  };
}

/** GitHub Actions' OIDC issuer, whose tokens the pipeline roles accept. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/**
 * Trust of a pipeline role (in the pipeline's own account) for GitHub Actions' OIDC tokens whose
 * subject is one of `subjects`: for the rollout, `repo:OWNER/REPO:environment:NAME`, which GitHub
 * issues to any job that names that environment, a pull request's own workflow included unless the
 * environment's deployment-branch rules stop it. So the rollout's trust also names the workflow the
 * job must run (`job_workflow_ref`, which AWS STS checks since January 2026): the rollout workflow as
 * it is on the default branch.
 */
export function githubOidcTrustPolicy(
  pipelineRoleArn: string,
  subjects: readonly string[],
  workflows: readonly string[] = [],
): PolicyDocument {
  const one = (values: readonly string[]) => (values.length === 1 ? values[0] : [...values]);
  const account = /:iam::(\d{12}):/.exec(pipelineRoleArn)?.[1];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:${partitionOf(pipelineRoleArn)}:iam::${account}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
        },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_ISSUER}:sub`]: one(subjects),
            ...(workflows.length > 0 ? { [`${GITHUB_OIDC_ISSUER}:job_workflow_ref`]: one(workflows) } : {}),
          },
        },
      },
    ],
  };
}

/** A pipeline role's own permission: assume exactly these roles, nothing else. */
export function assumeRolesPolicy(sid: string, roleArns: readonly string[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: [...new Set(roleArns)] }],
  };
}
