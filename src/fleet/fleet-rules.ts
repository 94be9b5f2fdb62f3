/**
 * Rules across environments, checked on the resolved fleet: environment and stack names are unique,
 * no two environments manage the same configuration set in one account and region (SES's 10,000
 * sets are per account and region too), and the pipeline's roles keep read and write apart.
 */
import { configurationSetListViolations } from '../../modules/ses-rules';
import { formatPath } from '../../modules/ses-validation-error';
import type { Fleet, FleetStack } from './fleet';
import { Problem, displayPath } from '../environment/problems';

export function fleetProblems(fleet: Fleet): Problem[] {
  const problems: Problem[] = [];
  const fileByName = new Map<string, string>();
  for (const { environment, file } of fleet.environments) {
    const earlier = fileByName.get(environment.name);
    if (earlier !== undefined)
      problems.push({
        file,
        path: 'name',
        message: `environment name "${environment.name}" is already declared in ${earlier}: environment names must be unique.`,
      });
    else fileByName.set(environment.name, file);
  }
  const firstByStack = new Map<string, FleetStack>();
  for (const stack of fleet.stacks) {
    const other = firstByStack.get(stack.name);
    if (other === undefined) firstByStack.set(stack.name, stack);
    // Two environments of one name are reported above; a name built from different parts is reported here.
    else if (other.environment.name !== stack.environment.name)
      problems.push({
        file: stack.file,
        path: formatPath(['regions', stack.environment.regions.indexOf(stack.region)]),
        message: `stack "${stack.name}" is already produced by ${other.file}: rename the environment.`,
      });
  }
  problems.push(...sharedAccountProblems(fleet.stacks), ...pipelineTrustProblems(fleet), ...stateBucketProblems(fleet));
  return problems;
}

/**
 * S3 bucket names are global: two accounts declaring one state bucket means the second account's
 * bootstrap fails with BucketAlreadyExists (after a partial apply), unless the bucket is shared on
 * purpose (`stateBackend.shared` in every environment that uses it).
 */
function stateBucketProblems(fleet: Fleet): Problem[] {
  const byBucket = new Map<string, Fleet['environments'][number][]>();
  for (const loaded of fleet.environments) {
    const users = byBucket.get(loaded.environment.stateBackend.bucket) ?? [];
    byBucket.set(loaded.environment.stateBackend.bucket, [...users, loaded]);
  }
  return [...byBucket.entries()].flatMap(([bucket, users]) => {
    const accounts = new Set(users.map(({ environment }) => environment.accountId));
    if (accounts.size < 2) return [];
    return users
      .filter(({ environment }) => environment.stateBackend.shared !== true)
      .map(({ file, environment }) => {
        const others = users.filter((other) => other.environment.accountId !== environment.accountId);
        return {
          file,
          path: 'stateBackend.bucket',
          message: `state bucket "${bucket}" is also declared for account ${others[0].environment.accountId} (${others.map((other) => `${other.environment.name} in ${other.file}`).join(', ')}): S3 bucket names are global, so the second account's bootstrap would fail with BucketAlreadyExists. Give each account its own bucket, for example "acme-ses-state-{accountId}-{region}", or, for one bucket shared on purpose, set stateBackend.shared: true in every environment that uses it.`,
        };
      });
  });
}

/**
 * A pipeline role reaches every deploy role that trusts it. When one pipeline role serves two GitHub
 * environments, or the plan jobs' role is also a rollout's, the production gate no longer decides
 * who can write to production: refuse both.
 */
function pipelineTrustProblems(fleet: Fleet): Problem[] {
  const problems: Problem[] = [];
  const rolloutPrincipals = new Map<string, { gate: string | undefined; name: string; file: string }>();
  for (const { environment, file } of fleet.environments) {
    const principal = environment.deployRole.trustedPrincipal;
    if (principal === undefined) continue;
    const gate = environment.pipeline?.githubEnvironment;
    const earlier = rolloutPrincipals.get(principal);
    if (earlier === undefined) rolloutPrincipals.set(principal, { gate, name: environment.name, file });
    else if (earlier.gate !== gate)
      problems.push({
        file,
        path: 'deployRole.trustedPrincipal',
        message: `${principal} is also the rollout principal of environment "${earlier.name}" (${displayPath(earlier.file)}), which rolls out in GitHub environment ${earlier.gate ?? '(none)'}, not ${gate ?? '(none)'}: either job could write to both accounts. Give each GitHub environment its own pipeline role.`,
      });
  }
  for (const { environment, file } of fleet.environments) {
    const principal = environment.planRole?.trustedPrincipal;
    const rollout = principal === undefined ? undefined : rolloutPrincipals.get(principal);
    if (rollout === undefined || rollout.name === environment.name) continue;
    problems.push({
      file,
      path: 'planRole.trustedPrincipal',
      message: `${principal} is the rollout principal of environment "${rollout.name}" (${displayPath(rollout.file)}): the pull-request job that assumes it for plans could write there. Plans need a pipeline role of their own.`,
    });
  }
  return problems;
}

/** Configuration sets declared by several environments in one account and region, and the 10,000 quota there. */
function sharedAccountProblems(stacks: readonly FleetStack[]): Problem[] {
  const byAccountRegion = new Map<string, FleetStack[]>();
  for (const stack of stacks) {
    const key = `account ${stack.accountId}, region ${stack.region}`;
    byAccountRegion.set(key, [...(byAccountRegion.get(key) ?? []), stack]);
  }
  const problems: Problem[] = [];
  for (const [scope, sharing] of byAccountRegion) {
    if (sharing.length < 2) continue;
    const first = new Map<string, FleetStack>();
    for (const stack of sharing)
      for (const set of stack.configurationSets) {
        const earlier = first.get(set.name);
        if (earlier === undefined) first.set(set.name, stack);
        else if (earlier.environment !== stack.environment)
          problems.push({
            file: stack.file,
            path: formatPath([...set.field, 'name']),
            message: `configuration set "${set.name}" is also declared by environment "${earlier.environment.name}" (${earlier.file}) in ${scope}: two stacks would manage the same set. Give one of them another name.`,
          });
      }
    const names = sharing.flatMap((stack) => stack.configurationSets.map((set) => set.name));
    for (const found of configurationSetListViolations(names, scope).filter((violation) => violation.path.length === 0))
      problems.push({ file: sharing[sharing.length - 1].file, path: 'configurationSets', message: found.message });
  }
  return problems;
}
