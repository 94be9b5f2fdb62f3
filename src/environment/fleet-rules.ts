/**
 * Rules across environments: names and stacks are unique, and no two environments manage the same
 * configuration set in one account and region (SES's 10,000 sets are per account and region too).
 */
import { configurationSetListViolations } from '../../modules/ses-rules';
import { formatPath } from '../../modules/ses-validation-error';
import type { LoadedEnvironment } from './loader';
import { Problem } from './problems';
import { stackName } from './stack-naming';

export function fleetProblems(environments: readonly LoadedEnvironment[]): Problem[] {
  const problems: Problem[] = [];
  const firstByName = new Map<string, LoadedEnvironment>();
  const firstByStack = new Map<string, LoadedEnvironment>();
  for (const loaded of environments) {
    const { name, regions } = loaded.environment;
    const earlier = firstByName.get(name);
    if (earlier !== undefined)
      problems.push({
        file: loaded.file,
        path: 'name',
        message: `environment name "${name}" is already declared in ${earlier.file}: environment names must be unique.`,
      });
    else firstByName.set(name, loaded);
    regions.forEach((region, index) => {
      const stack = stackName(name, region);
      const other = firstByStack.get(stack);
      if (other !== undefined && other !== earlier)
        problems.push({
          file: loaded.file,
          path: formatPath(['regions', index]),
          message: `stack "${stack}" is already produced by ${other.file}: rename the environment.`,
        });
      else if (other === undefined) firstByStack.set(stack, loaded);
    });
  }
  problems.push(...sharedAccountProblems(environments));
  return problems;
}

/** Configuration sets declared by several environments in one account and region, and the 10,000 quota there. */
function sharedAccountProblems(environments: readonly LoadedEnvironment[]): Problem[] {
  type Declared = { loaded: LoadedEnvironment; index: number; name: string };
  const byAccountRegion = new Map<string, Declared[]>();
  for (const loaded of environments)
    for (const region of loaded.environment.regions) {
      const key = `account ${loaded.environment.accountId}, region ${region}`;
      const list = byAccountRegion.get(key) ?? [];
      loaded.environment.configurationSets.forEach(({ name }, index) => list.push({ loaded, index, name }));
      byAccountRegion.set(key, list);
    }
  const problems: Problem[] = [];
  for (const [scope, declared] of byAccountRegion) {
    const first = new Map<string, Declared>();
    for (const entry of declared) {
      const earlier = first.get(entry.name);
      if (earlier === undefined) first.set(entry.name, entry);
      else if (earlier.loaded !== entry.loaded)
        problems.push({
          file: entry.loaded.file,
          path: formatPath(['configurationSets', entry.index, 'name']),
          message: `configuration set "${entry.name}" is also declared by environment "${earlier.loaded.environment.name}" (${earlier.loaded.file}) in ${scope}: two stacks would manage the same set. Give one of them another name.`,
        });
    }
    const owners = [...new Set(declared.map((entry) => entry.loaded))];
    if (owners.length < 2) continue;
    for (const found of configurationSetListViolations(
      declared.map((entry) => entry.name),
      scope,
    ).filter((violation) => violation.path.length === 0))
      problems.push({ file: owners[owners.length - 1].file, path: 'configurationSets', message: found.message });
  }
  return problems;
}
