/**
 * Every IAM role the pipeline's path to an account goes through, with its trust and its permissions,
 * from the environment files: what `sesform iam-policy` prints for review and what `sesform bootstrap`
 * creates (the roles in the environment's account; the pipeline roles live in the pipeline's account).
 *
 *   GitHub job --OIDC--> pipeline role --sts:AssumeRole--> deploy role (rollout) or plan role (plans, drift)
 *
 * IAM keeps no OIDC claim across that second hop, so the GitHub environment gate is enforced where the
 * token is exchanged: the rollout's pipeline role trusts only `repo:OWNER/REPO:environment:NAME`, which
 * GitHub issues only to a job that its environment's protection rules let run, and the deploy role
 * trusts only that pipeline role. Pull-request and drift jobs get the plan pipeline role, which can
 * assume the read-only plan roles and nothing else.
 */
import type { FleetStack } from '../fleet/fleet';
import type { PolicyDocument } from './policy-document';
import {
  accountRoleTrustPolicy,
  assumeRolesPolicy,
  deployRolePolicy,
  githubOidcTrustPolicy,
  planRolePolicy,
} from './role-policies';

export type RoleKind = 'deploy' | 'plan' | 'rollout-pipeline' | 'plan-pipeline';

export interface IamRole {
  readonly kind: RoleKind;
  readonly arn: string;
  /** The environments whose stacks go through this role. */
  readonly environments: readonly string[];
  /** Who may assume it; undefined when the environment files do not say (bootstrap then refuses). */
  readonly trustedPrincipal?: string;
  /** For the pipeline roles: the GitHub OIDC subjects they accept. */
  readonly githubSubjects?: readonly string[];
  /** The workflows (`job_workflow_ref`) whose jobs it trusts, when it names them: the rollout's. */
  readonly githubWorkflows?: readonly string[];
  readonly trustPolicy?: PolicyDocument;
  readonly policy: PolicyDocument;
}

const PURPOSE: Record<RoleKind, string> = {
  deploy: 'the deploy role',
  plan: 'the plan role',
  'rollout-pipeline': 'the rollout pipeline role',
  'plan-pipeline': 'the plan pipeline role',
};

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const value = key(item);
    if (value !== undefined) groups.set(value, [...(groups.get(value) ?? []), item]);
  }
  return groups;
}

const environmentsOf = (stacks: readonly FleetStack[]) => [...new Set(stacks.map((stack) => stack.environment.name))];

/** One value shared by every stack of a role, or an error naming the disagreement. */
function single<T>(kind: RoleKind, arn: string, field: string, values: readonly T[]): T {
  const distinct = [...new Set(values)];
  if (distinct.length > 1)
    throw new Error(
      `${PURPOSE[kind]} ${arn} is declared with different ${field} values (${distinct.join(', ')}): one role has one trust.`,
    );
  return distinct[0];
}

/** The deploy roles and plan roles of the stacks' accounts. */
export function accountRoles(stacks: readonly FleetStack[]): IamRole[] {
  const roles: IamRole[] = [];
  for (const kind of ['deploy', 'plan'] as const) {
    const roleOf = (stack: FleetStack) => (kind === 'deploy' ? stack.deployRole : stack.planRole);
    for (const [arn, users] of groupBy(stacks, (stack) => roleOf(stack)?.arn)) {
      const declared = (stack: FleetStack) =>
        kind === 'deploy' ? stack.environment.deployRole : stack.environment.planRole;
      const trustedPrincipal = single(
        kind,
        arn,
        'trustedPrincipal',
        users.map((stack) => declared(stack)?.trustedPrincipal),
      );
      const externalId = single(
        kind,
        arn,
        'externalId',
        users.map((stack) => roleOf(stack)?.externalId),
      );
      roles.push({
        kind,
        arn,
        environments: environmentsOf(users),
        ...(trustedPrincipal !== undefined
          ? { trustedPrincipal, trustPolicy: accountRoleTrustPolicy(trustedPrincipal, { externalId }) }
          : {}),
        policy: kind === 'deploy' ? deployRolePolicy(users) : planRolePolicy(users),
      });
    }
  }
  return roles;
}

/** The OIDC subject of a GitHub job in an environment, or of a job on a branch, or of a pull request. */
export const githubSubject = {
  environment: (repository: string, environment: string) => `repo:${repository}:environment:${environment}`,
  branch: (repository: string, branch: string) => `repo:${repository}:ref:refs/heads/${branch}`,
  pullRequest: (repository: string) => `repo:${repository}:pull_request`,
};

/** The rollout workflow as it is on the default branch: the only workflow whose jobs may deploy. */
export const rolloutWorkflowRef = (repository: string, defaultBranch: string) =>
  `${repository}/.github/workflows/sesform-rollout.yml@refs/heads/${defaultBranch}`;

/**
 * The pipeline roles that the environments' `pipeline` blocks describe: one per rollout principal
 * (trusting its GitHub environment's jobs), and the plan principal (trusting pull requests and the
 * default branch, where drift runs on schedule).
 */
export function pipelineRoles(stacks: readonly FleetStack[]): IamRole[] {
  const withPipeline = stacks.filter(
    (stack) =>
      stack.environment.pipeline !== undefined && /:role\//.test(stack.environment.deployRole.trustedPrincipal ?? ''),
  );
  const roles: IamRole[] = [];
  for (const [arn, users] of groupBy(withPipeline, (stack) => stack.environment.deployRole.trustedPrincipal)) {
    const subjects = users.map(({ environment: { pipeline } }) =>
      githubSubject.environment(pipeline!.githubRepository, pipeline!.githubEnvironment),
    );
    const workflows = users.map(({ environment: { pipeline } }) =>
      rolloutWorkflowRef(pipeline!.githubRepository, pipeline!.githubDefaultBranch),
    );
    roles.push(
      pipelineRole(
        'rollout-pipeline',
        arn,
        users,
        subjects,
        'AssumeDeployRoles',
        (stack) => stack.deployRole.arn,
        workflows,
      ),
    );
  }
  const planned = withPipeline.filter((stack) => /:role\//.test(stack.environment.planRole?.trustedPrincipal ?? ''));
  for (const [arn, users] of groupBy(planned, (stack) => stack.environment.planRole?.trustedPrincipal)) {
    const subjects = users.flatMap(({ environment: { pipeline } }) => [
      githubSubject.pullRequest(pipeline!.githubRepository),
      githubSubject.branch(pipeline!.githubRepository, pipeline!.githubDefaultBranch),
    ]);
    roles.push(pipelineRole('plan-pipeline', arn, users, subjects, 'AssumePlanRoles', (stack) => stack.planRole!.arn));
  }
  return roles;
}

function pipelineRole(
  kind: RoleKind,
  arn: string,
  users: readonly FleetStack[],
  subjects: readonly string[],
  sid: string,
  target: (stack: FleetStack) => string,
  workflows: readonly string[] = [],
): IamRole {
  const githubSubjects = [...new Set(subjects)];
  const githubWorkflows = [...new Set(workflows)];
  return {
    kind,
    arn,
    environments: environmentsOf(users),
    githubSubjects,
    ...(githubWorkflows.length > 0 ? { githubWorkflows } : {}),
    trustPolicy: githubOidcTrustPolicy(arn, githubSubjects, githubWorkflows),
    policy: assumeRolesPolicy(sid, users.map(target)),
  };
}

/**
 * Everything `sesform iam-policy` prints: the selected stacks' account roles, and the pipeline roles
 * that serve them, whose permissions span every environment that trusts them (`everyStack`).
 */
export function iamRoles(stacks: readonly FleetStack[], everyStack: readonly FleetStack[] = stacks): IamRole[] {
  const selected = new Set(environmentsOf(stacks));
  const serving = pipelineRoles(everyStack).filter((role) => role.environments.some((name) => selected.has(name)));
  return [...accountRoles(stacks), ...serving];
}
