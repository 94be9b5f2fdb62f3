/**
 * Dimension sets: one destination declared with `dimensionSets: [["campaign"], ["campaign", "genre"]]`
 * becomes one CloudWatch destination per set, because a metric with several dimensions cannot be
 * queried by one of them alone. Each expanded destination is named after its set, so adding,
 * removing or reordering sets never renames (and so never replaces) another destination.
 */
import { createHash } from 'node:crypto';
import { didYouMean } from './did-you-mean';
import type { RuleViolation } from './ses-rules';

const MAX_NAME_LENGTH = 64;

/** The destination name for one set: `<destination>-<dimension names, sorted>`, within SES's 64 characters. */
export function dimensionSetDestinationName(destinationName: string, dimensionNames: readonly string[]): string {
  const suffix = [...dimensionNames]
    .sort()
    .map((name) => name.replace(/[^A-Za-z0-9_-]/g, '-'))
    .join('-');
  const name = `${destinationName}-${suffix}`;
  if (name.length <= MAX_NAME_LENGTH) return name;
  // Too long to read in full: keep a readable prefix and make it unique with a hash of the whole.
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME_LENGTH - hash.length - 1)}-${hash}`;
}

/** One destination per dimension set, with the dimensions each set selects, in their declared order. */
export function expandDimensionSets<D extends { readonly name: string }>(
  destinationName: string,
  dimensions: readonly D[],
  dimensionSets: readonly (readonly string[])[],
): { name: string; dimensions: D[] }[] {
  return dimensionSets.map((set) => ({
    name: dimensionSetDestinationName(destinationName, set),
    dimensions: dimensions.filter((dimension) => set.includes(dimension.name)),
  }));
}

/** Every set names known dimensions, at least one, each once; no set is repeated. Paths are relative to the list of sets. */
export function dimensionSetViolations(
  dimensionNames: readonly string[],
  dimensionSets: readonly (readonly string[])[],
): RuleViolation[] {
  const found: RuleViolation[] = [];
  if (dimensionSets.length === 0)
    found.push({
      path: [],
      message: 'dimensionSets needs at least one set; leave it out to publish all dimensions together.',
    });
  const seen = new Map<string, number>();
  dimensionSets.forEach((set, index) => {
    if (set.length === 0) found.push({ path: [index], message: 'a dimension set needs at least one dimension.' });
    set.forEach((name, position) => {
      if (!dimensionNames.includes(name))
        found.push({
          path: [index, position],
          message: `"${name}" is not a dimension of this destination: declare it under cloudWatch.dimensions.${didYouMean(name, dimensionNames)}`,
        });
      else if (set.indexOf(name) < position)
        found.push({ path: [index, position], message: `"${name}" appears twice in this dimension set.` });
    });
    const key = [...set].sort().join('\u0000');
    const first = seen.get(key);
    if (first !== undefined)
      found.push({ path: [index], message: `this dimension set repeats set ${first} (order does not matter).` });
    else seen.set(key, index);
  });
  return found;
}
