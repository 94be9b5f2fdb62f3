/**
 * "Did you mean" suggestions for misspelt words: event types, field names, enum values.
 */

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
      rowMinimum = Math.min(rowMinimum, current[j]);
    }
    if (rowMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}

/** Lower case without separators, so `rendering_failure` and `renderingFailure` compare equal. */
function looseForm(word: string): string {
  return word.toLowerCase().replace(/[\s_-]/g, '');
}

/**
 * The candidate closest to `word`, or undefined when nothing is close enough to be a likely typo.
 * A candidate equal to the word but for case and separators always wins.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const loose = looseForm(word);
  const sameWords = candidates.filter((candidate) => looseForm(candidate) === loose);
  if (sameWords.length > 0)
    return sameWords.reduce((best, candidate) =>
      editDistance(word, candidate, Infinity) < editDistance(word, best, Infinity) ? candidate : best,
    );
  const limit = Math.max(1, Math.min(3, Math.floor(loose.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  let bestExactDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(loose, looseForm(candidate), limit);
    if (distance > limit || distance > bestDistance) continue;
    // Between equally close candidates, prefer the one written in the same style ("bounce", not "BOUNCE").
    const exactDistance = editDistance(word, candidate, word.length + candidate.length);
    if (distance < bestDistance || exactDistance < bestExactDistance) {
      best = candidate;
      bestDistance = distance;
      bestExactDistance = exactDistance;
    }
  }
  return best;
}

/** ` Did you mean "x"?`, or an empty string when there is no likely match. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}
