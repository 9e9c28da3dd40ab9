import { DIMENSIONS, type Dimension, type SeenStat } from './types.js';

const DAY_MS = 86_400_000;
const NDIM = DIMENSIONS.length;

/** One-character prefix per dimension index ('A' = ip_prefix ... 'H' = scope) of {@link seenKey}. */
export const DIM_PREFIX: readonly string[] = DIMENSIONS.map((_, i) => String.fromCharCode(65 + i));

/** Key of a value of dimension index `d` in {@link SeenSets}: the dimension prefix plus the value. */
export const seenKey = (d: number, value: string): string => DIM_PREFIX[d]! + value;

/** Serialized set of one dimension: `[evicted, ...[value, count, firstSeen - first ms, last - lastSeen ms]]`. */
export type CappedSetJSON = [number, ...[string, number, number, number][]];

/** Result of {@link SeenSets.observe}. */
export const SeenOutcome = {
  /** The value was already kept and its firstSeen did not change. */
  Known: 0,
  /** The value was not kept (never seen, or evicted earlier) and was inserted. */
  New: 1,
  /** The value was kept but this (late) event is older than its firstSeen, now moved earlier;
   * the previous firstSeen is in {@link SeenSets.movedFrom}. */
  MovedEarlier: 2,
} as const;
export type SeenOutcome = (typeof SeenOutcome)[keyof typeof SeenOutcome];

/**
 * First/last-seen stats per value of every {@link Dimension} of one entity, each dimension bounded
 * to `cap` values. All dimensions share one `Map` keyed by {@link seenKey} (one hash table per
 * entity keeps the hot path to few cache misses); per dimension, parallel insertion-ordered lists
 * of keys and stats serve eviction, `distinct` and `top`.
 *
 * Eviction (only when a new value arrives at a full dimension): the entry with the smallest
 * `lastSeen + floor(log2(1 + count)) x 1 day` goes, i.e. least recently seen, with frequency
 * buying extra retention (a value seen 1,023 times is kept as if seen 9 days later than a
 * one-off). Ties go to the oldest inserted. O(cap) per eviction. Evicted values are forgotten:
 * seeing them again makes them new again, so {@link evictedCount} tells a consumer when novelty on
 * a dimension is unreliable (the entity has more distinct values than the cap).
 *
 * Order of events: while a dimension never reached its cap, its content (count, firstSeen = min
 * event time, lastSeen = max event time) does not depend on arrival order. Once evicting, which
 * values survive depends on arrival order.
 */
export class SeenSets {
  private readonly map = new Map<string, SeenStat>();
  private readonly keys: (string[] | undefined)[] = new Array(NDIM).fill(undefined);
  private readonly stats: (SeenStat[] | undefined)[] = new Array(NDIM).fill(undefined);
  private readonly evicted: number[] = new Array(NDIM).fill(0);
  /** Previous firstSeen (ms) when {@link observe} returned {@link SeenOutcome.MovedEarlier}. */
  movedFrom = 0;

  /** Folds one sighting at event time `t` (ms) of the value with `key` = seenKey(d, value). */
  observe(d: number, key: string, t: number, cap: number): SeenOutcome {
    const e = this.map.get(key);
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
    this.insert(d, key, { count: 1, firstSeen: t, lastSeen: t }, cap);
    return SeenOutcome.New;
  }

  private insert(d: number, key: string, s: SeenStat, cap: number): void {
    let keys = this.keys[d];
    let stats = this.stats[d];
    if (keys === undefined || stats === undefined) {
      keys = [];
      stats = [];
      this.keys[d] = keys;
      this.stats[d] = stats;
    }
    while (keys.length >= cap) this.evictOne(d, keys, stats);
    this.map.set(key, s);
    keys.push(key);
    stats.push(s);
  }

  private evictOne(d: number, keys: string[], stats: SeenStat[]): void {
    let victim = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < stats.length; i++) {
      const e = stats[i]!;
      const score = e.lastSeen + (31 - Math.clz32(e.count + 1)) * DAY_MS;
      if (score < best) {
        best = score;
        victim = i;
      }
    }
    if (victim < 0) return;
    this.map.delete(keys[victim]!);
    keys.splice(victim, 1);
    stats.splice(victim, 1);
    this.evicted[d]!++;
  }

  /** Stats of a value, by {@link seenKey}. */
  get(key: string): SeenStat | undefined {
    return this.map.get(key);
  }

  /** Values kept for dimension index `d`. */
  distinct(d: number): number {
    return this.keys[d]?.length ?? 0;
  }

  /** Values dropped from dimension index `d` by eviction so far. */
  evictedCount(d: number): number {
    return this.evicted[d]!;
  }

  /** Values of dimension `d`, most frequent first (ties: most recently seen, then insertion order), at most `limit`. */
  top(d: number, limit: number): string[] {
    const keys = this.keys[d];
    const stats = this.stats[d];
    if (keys === undefined || stats === undefined) return [];
    const idx = keys.map((_, i) => i);
    idx.sort((a, b) => stats[b]!.count - stats[a]!.count || stats[b]!.lastSeen - stats[a]!.lastSeen || a - b);
    const out: string[] = [];
    for (let i = 0; i < idx.length && i < limit; i++) out.push(keys[idx[i]!]!.slice(1));
    return out;
  }

  /**
   * Serialized form: per dimension with values or evictions, `[evicted, [value, count,
   * firstSeen - first ms, last - lastSeen ms], ...]` in insertion order (which decides eviction
   * ties, so it is kept). `first`/`last` are the entity's first and last seen (short numbers).
   */
  toJSON(first: number, last: number): Partial<Record<Dimension, CappedSetJSON>> {
    const out: Partial<Record<Dimension, CappedSetJSON>> = {};
    for (let d = 0; d < NDIM; d++) {
      const keys = this.keys[d];
      const stats = this.stats[d];
      if ((keys === undefined || stats === undefined) && this.evicted[d] === 0) continue;
      const set: CappedSetJSON = [this.evicted[d]!];
      if (keys !== undefined && stats !== undefined) {
        for (let i = 0; i < keys.length; i++) {
          const s = stats[i]!;
          set.push([keys[i]!.slice(1), s.count, s.firstSeen - first, last - s.lastSeen]);
        }
      }
      out[DIMENSIONS[d]!] = set;
    }
    return out;
  }

  /** Inverse of {@link toJSON}. */
  static fromJSON(json: Partial<Record<Dimension, CappedSetJSON>>, first: number, last: number): SeenSets {
    const sets = new SeenSets();
    DIMENSIONS.forEach((dim, d) => {
      const set = json[dim];
      if (set === undefined) return;
      sets.evicted[d] = set[0];
      for (let i = 1; i < set.length; i++) {
        const [value, count, fromFirst, toLast] = set[i] as [string, number, number, number];
        sets.insert(
          d,
          seenKey(d, value),
          { count, firstSeen: first + fromFirst, lastSeen: last - toLast },
          Infinity,
        );
      }
    });
    return sets;
  }
}
