/** What a destination registers under: the set it publishes for (compared by identity). */
type SetKey = object;

/**
 * The destinations created for each set, so a set finds its own without searching the construct
 * tree (which costs a walk of the whole app per look). Held weakly: a set no one holds goes.
 */
export class DestinationsBySet<T> {
  private readonly bySet = new WeakMap<SetKey, T[]>();

  add(configurationSet: SetKey, destination: T): void {
    const siblings = this.bySet.get(configurationSet);
    if (siblings === undefined) this.bySet.set(configurationSet, [destination]);
    else siblings.push(destination);
  }

  /** The destinations added for `configurationSet`, in creation order. */
  of(configurationSet: SetKey): readonly T[] {
    return this.bySet.get(configurationSet) ?? [];
  }
}
