import { DIMENSIONS, type Dimension, type SeenStat } from './types.js';

const DAY_MS = 86_400_000;
const NDIM = DIMENSIONS.length;

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
 * to `cap` values. One `Map` per dimension in use (created on its first value), keyed by the raw
 * value: a lookup hashes the activity's own string (no per-event key concatenation) and an
 * eviction scans only its dimension's values. A Map iterates in insertion order and values are
 * never re-inserted (stats are updated in place), so the Map alone keeps the order eviction ties,
 * `top` and serialization use.
 *
 * Eviction (only when a new value arrives at a full dimension): the entry with the smallest
 * `lastSeen + floor(log2(1 + count)) x 1 day` goes, i.e. least recently seen, with frequency
 * buying extra retention (a value seen 1,023 times is kept as if seen 9 days later than a
 * one-off). Ties go to the oldest inserted. O(cap) per eviction. Evicted values are
 * forgotten: seeing them again makes them new again, so {@link evictedCount} tells a consumer when
 * novelty on a dimension is unreliable (the entity has more distinct values than the cap).
 *
 * Order of events: while a dimension never reached its cap, its content (count, firstSeen = min
 * event time, lastSeen = max event time) does not depend on arrival order. Once evicting, which
 * values survive depends on arrival order.
 */
export class SeenSets {
  /** per dimension index: value -> stats in insertion order, undefined until its first value */
  private readonly maps: (Map<string, SeenStat> | undefined)[] = new Array(NDIM).fill(undefined);
  /** per dimension index: values evicted so far */
  private readonly evicted: number[] = new Array(NDIM).fill(0);
  /** Previous firstSeen (ms) when {@link observe} returned {@link SeenOutcome.MovedEarlier}. */
  movedFrom = 0;

  /** Folds one sighting at event time `t` (ms) of `value` of dimension index `d`. */
  observe(d: number, value: string, t: number, cap: number): SeenOutcome {
    let map = this.maps[d];
    if (map === undefined) {
      map = new Map();
      this.maps[d] = map;
    } else {
      const e = map.get(value);
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
    }
    this.insert(d, map, value, { count: 1, firstSeen: t, lastSeen: t }, cap);
    return SeenOutcome.New;
  }

  private insert(d: number, map: Map<string, SeenStat>, value: string, s: SeenStat, cap: number): void {
    while (map.size >= cap && map.size > 0) this.evictOne(d, map);
    map.set(value, s);
  }

  private evictOne(d: number, map: Map<string, SeenStat>): void {
    let victim: string | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (const [value, e] of map) {
      const score = e.lastSeen + (31 - Math.clz32(e.count + 1)) * DAY_MS;
      if (score < best) {
        best = score;
        victim = value;
      }
    }
    if (victim === undefined) return;
    map.delete(victim);
    this.evicted[d]!++;
  }

  /** Stats of `value` of dimension index `d`. */
  get(d: number, value: string): SeenStat | undefined {
    return this.maps[d]?.get(value);
  }

  /** Values kept for dimension index `d`. */
  distinct(d: number): number {
    return this.maps[d]?.size ?? 0;
  }

  /** Values dropped from dimension index `d` by eviction so far. */
  evictedCount(d: number): number {
    return this.evicted[d]!;
  }

  /** Values of dimension `d`, most frequent first (ties: most recently seen, then insertion order), at most `limit`. */
  top(d: number, limit: number): string[] {
    const map = this.maps[d];
    if (map === undefined || limit <= 0) return [];
    const entries = [...map];
    // Array.prototype.sort is stable: equal count and lastSeen keep insertion order
    entries.sort((a, b) => b[1].count - a[1].count || b[1].lastSeen - a[1].lastSeen);
    const out: string[] = [];
    for (let i = 0; i < entries.length && i < limit; i++) out.push(entries[i]![0]);
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
      const map = this.maps[d];
      if ((map === undefined || map.size === 0) && this.evicted[d] === 0) continue;
      const set: CappedSetJSON = [this.evicted[d]!];
      if (map !== undefined)
        for (const [value, s] of map) set.push([value, s.count, s.firstSeen - first, last - s.lastSeen]);
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
      const map = new Map<string, SeenStat>();
      sets.maps[d] = map;
      for (let i = 1; i < set.length; i++) {
        const [value, count, fromFirst, toLast] = set[i] as [string, number, number, number];
        map.set(value, { count, firstSeen: first + fromFirst, lastSeen: last - toLast });
      }
    });
    return sets;
  }
}
