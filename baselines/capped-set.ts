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
 * to `cap` values. All dimensions share one `Map` keyed by {@link seenKey} and one insertion-ordered
 * pair of lists (keys, stats) used by eviction, `top` and serialization: few objects per entity
 * (heap) and few cache misses per event (hot path).
 *
 * Eviction (only when a new value arrives at a full dimension): the entry with the smallest
 * `lastSeen + floor(log2(1 + count)) x 1 day` goes, i.e. least recently seen, with frequency
 * buying extra retention (a value seen 1,023 times is kept as if seen 9 days later than a
 * one-off). Ties go to the oldest inserted. O(values kept) per eviction. Evicted values are
 * forgotten: seeing them again makes them new again, so {@link evictedCount} tells a consumer when
 * novelty on a dimension is unreliable (the entity has more distinct values than the cap).
 *
 * Order of events: while a dimension never reached its cap, its content (count, firstSeen = min
 * event time, lastSeen = max event time) does not depend on arrival order. Once evicting, which
 * values survive depends on arrival order.
 */
export class SeenSets {
  private readonly map = new Map<string, SeenStat>();
  /** keys and stats of every kept value, insertion order */
  private readonly keys: string[] = [];
  private readonly stats: SeenStat[] = [];
  /** per dimension index d: kept values at [d], evicted values at [NDIM + d] */
  private readonly counters: number[] = new Array(2 * NDIM).fill(0);
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
    while (this.counters[d]! >= cap) this.evictOne(d);
    this.map.set(key, s);
    this.keys.push(key);
    this.stats.push(s);
    this.counters[d]!++;
  }

  private evictOne(d: number): void {
    const prefix = DIM_PREFIX[d]!.charCodeAt(0);
    const { keys, stats } = this;
    let victim = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < stats.length; i++) {
      if (keys[i]!.charCodeAt(0) !== prefix) continue;
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
    this.counters[d]!--;
    this.counters[NDIM + d]!++;
  }

  /** Stats of a value, by {@link seenKey}. */
  get(key: string): SeenStat | undefined {
    return this.map.get(key);
  }

  /** Values kept for dimension index `d`. */
  distinct(d: number): number {
    return this.counters[d]!;
  }

  /** Values dropped from dimension index `d` by eviction so far. */
  evictedCount(d: number): number {
    return this.counters[NDIM + d]!;
  }

  /** Indices into keys/stats of dimension `d`'s values, insertion order. */
  private indicesOf(d: number): number[] {
    const prefix = DIM_PREFIX[d]!.charCodeAt(0);
    const out: number[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i]!.charCodeAt(0) === prefix) out.push(i);
    return out;
  }

  /** Values of dimension `d`, most frequent first (ties: most recently seen, then insertion order), at most `limit`. */
  top(d: number, limit: number): string[] {
    const { keys, stats } = this;
    const idx = this.indicesOf(d);
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
      if (this.counters[d] === 0 && this.counters[NDIM + d] === 0) continue;
      const set: CappedSetJSON = [this.counters[NDIM + d]!];
      for (const i of this.indicesOf(d)) {
        const s = this.stats[i]!;
        set.push([this.keys[i]!.slice(1), s.count, s.firstSeen - first, last - s.lastSeen]);
      }
      out[DIMENSIONS[d]!] = set;
    }
    return out;
  }

  /**
   * Inverse of {@link toJSON}. Insertion order across dimensions is not kept (it only breaks
   * eviction ties between values of the same dimension, whose order is kept).
   */
  static fromJSON(json: Partial<Record<Dimension, CappedSetJSON>>, first: number, last: number): SeenSets {
    const sets = new SeenSets();
    DIMENSIONS.forEach((dim, d) => {
      const set = json[dim];
      if (set === undefined) return;
      sets.counters[NDIM + d] = set[0];
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
