/** Stacks (or their reports) grouped by wave, in wave order: how runs proceed and reports are laid out. */
/** The waves of `targets`, in order, each with its stacks. */
export function wavesOf<T extends { readonly wave: number }>(targets: readonly T[]): { wave: number; members: T[] }[] {
  return [...new Set(targets.map((target) => target.wave))]
    .sort((a, b) => a - b)
    .map((wave) => ({ wave, members: targets.filter((target) => target.wave === wave) }));
}
