import type { SeenStat } from './types.js';

const DAY_MS = 86_400_000;

/** Serialized {@link CappedSeenSet}: `[evicted, ...entries]`, see {@link CappedSeenSet.toJSON}. */
export type CappedSetJSON = [number, ...[string, number, number, number][]];

/** Result of {@link CappedSeenSet.observe}. */
export const SeenOutcome = {
  /** The value was already kept and its firstSeen did not change. */
  Known: 0,
  /** The value was not kept (never seen, or evicted earlier) and was inserted. */
  New: 1,
  /** The value was kept but this (late) event is older than its firstSeen, now moved earlier;
   * the previous firstSeen is in {@link CappedSeenSet.movedFrom}. */
  MovedEarlier: 2,
} as const;
export type SeenOutcome = (typeof SeenOutcome)[keyof typeof SeenOutcome];

/**
 * First/last-seen stats per value of one dimension, bounded to `cap` values.
 *
 * Eviction (only when a new value arrives at a full set): the entry with the smallest
 * `lastSeen + log2(1 + count) x 1 day` goes, i.e. least recently seen, with frequency buying extra
 * retention (a value seen 1,023 times is kept as if seen 10 days later than a one-off). Ties go
 * to the oldest inserted. Evicted values are forgotten: seeing them again makes them new again,
 * so {@link evicted} (how many values were dropped) tells a consumer when novelty on this
 * dimension is unreliable (the entity has more distinct values than the cap).
 *
 * Order of events: while the set never reached its cap, its content (count, firstSeen =
 * min event time, lastSeen = max event time) does not depend on arrival order. Once evicting,
 * which values survive depends on arrival order.
 */
export class CappedSeenSet {
  readonly entries = new Map<string, SeenStat>();
  /** Values dropped by eviction so far. */
  evicted = 0;
  /** Previous firstSeen (ms) when {@link observe} returned {@link SeenOutcome.MovedEarlier}. */
  movedFrom = 0;

  /** Folds one sighting of `value` at event time `t` (ms), evicting first if `cap` is reached. */
  observe(value: string, t: number, cap: number): SeenOutcome {
    const e = this.entries.get(value);
    if (e !== undefined) {
      e.count++;
      if (t > e.lastSeen) e.lastSeen = t;
      if (t < e.firstSeen) {
        this.movedFrom = e.firstSeen;
        e.firstSeen = t;
        return SeenOutcome.MovedEarlier;
      }
      return SeenOutcome.Known;
    }
    while (this.entries.size >= cap) this.evictOne();
    this.entries.set(value, { count: 1, firstSeen: t, lastSeen: t });
    return SeenOutcome.New;
  }

  private evictOne(): void {
    let victim: string | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (const [v, e] of this.entries) {
      const score = e.lastSeen + Math.log2(1 + e.count) * DAY_MS;
      if (score < best) {
        best = score;
        victim = v;
      }
    }
    if (victim === undefined) return;
    this.entries.delete(victim);
    this.evicted++;
  }

  /** Values, most frequent first (ties: most recently seen first, then insertion order), at most `limit`. */
  top(limit: number): string[] {
    const all = [...this.entries];
    all.sort((a, b) => b[1].count - a[1].count || b[1].lastSeen - a[1].lastSeen);
    const out: string[] = [];
    for (let i = 0; i < all.length && i < limit; i++) out.push(all[i]![0]);
    return out;
  }

  /**
   * Serialized form: `[evicted, [value, count, firstSeen - first ms, last - lastSeen ms], ...]`
   * in insertion order (which decides eviction ties, so it is kept). `first`/`last` are the
   * entity's first and last seen, to keep the numbers short.
   */
  toJSON(first: number, last: number): CappedSetJSON {
    const out: CappedSetJSON = [this.evicted];
    for (const [value, e] of this.entries) out.push([value, e.count, e.firstSeen - first, last - e.lastSeen]);
    return out;
  }

  /** Inverse of {@link toJSON}. */
  static fromJSON(json: CappedSetJSON, first: number, last: number): CappedSeenSet {
    const s = new CappedSeenSet();
    s.evicted = json[0];
    for (let i = 1; i < json.length; i++) {
      const [value, count, fromFirst, toLast] = json[i] as readonly [string, number, number, number];
      s.entries.set(value, { count, firstSeen: first + fromFirst, lastSeen: last - toLast });
    }
    return s;
  }
}
