import { LogHistogram } from './log-histogram.js';
import { EMPTY_STATS, robustStatsOf, type WeightedSamples } from './robust-stats.js';
import type { RobustStats } from './types.js';

export const HOUR_MS = 3_600_000;

/** One active UTC hour. Times are epoch ms of event time. */
export interface HourBucket {
  /** hour index: floor(t / 3,600,000) */
  h: number;
  /** events */
  e: number;
  /** rows, bytes, items summed over the hour's events (missing volume counts 0) */
  r: number;
  b: number;
  i: number;
  /** earliest and latest event time in the hour (ms) */
  lo: number;
  hi: number;
}

/** The per-hour series kept: events and the three volume metrics, plus inter-use gaps (ms). */
export type SeriesMetric = 'events' | 'rows' | 'bytes' | 'items';
const METRICS: readonly SeriesMetric[] = ['events', 'rows', 'bytes', 'items'];
const FIELD = { events: 'e', rows: 'r', bytes: 'b', items: 'i' } as const;

/** Serialized {@link HourlySeries}. */
export interface HourlySeriesJSON {
  /** recent buckets, flat: [h, e, r, b, i, lo - h*HOUR, hi - h*HOUR, ...] */
  rb: number[];
  /** folded histograms (flat [bin, count]) of events, rows, bytes, items, gaps */
  hs: [number[], number[], number[], number[], number[]];
  /** exact max over folded data of events, rows, bytes, items, gaps */
  mx: [number, number, number, number, number];
  /** latest event time of the last folded bucket (ms), -1 when nothing was folded */
  ph: number;
  /** events too late to land in a kept bucket */
  lt: number;
}

/**
 * Events and volume per active UTC hour (event time) and the inter-use gap distribution.
 *
 * Late-event tolerance: the last `toleranceHours` hours (default 48) before the newest event's
 * hour are kept as exact {@link HourBucket}s; a late event landing there is counted in its true
 * hour. When the newest hour moves on, buckets that fall out of that span are folded (in hour
 * order) into fixed-size log histograms ({@link LogHistogram}, ±2.2% above 64). An event older
 * than the kept span is counted in {@link late} only: the entity's other state still gets it,
 * the hourly series and gaps do not. With lateness below the tolerance the series is exactly
 * independent of arrival order.
 *
 * Stats cover completed hours only (every kept or folded hour but the newest one), so they change
 * at most once per hour in an in-order stream and are cached between changes.
 *
 * Gaps (ms) between consecutive events: between hours exactly (`next.lo - prev.hi`); inside an
 * hour with `e` events approximated as `e - 1` gaps of `(hi - lo) / (e - 1)` (the mean), so a
 * gap max below one hour can be understated; p99 and max of gaps above an hour are exact up to
 * histogram binning.
 */
export class HourlySeries {
  /** kept buckets, ascending by hour; the last one is the current (newest) hour */
  readonly recent: HourBucket[] = [];
  private readonly hist: LogHistogram[];
  private readonly foldedMax: number[];
  private prevHi: number;
  /** events older than the kept span (not in the series) */
  late = 0;
  private version = 0;
  private readonly cache: ({ v: number; s: RobustStats } | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ];

  constructor(json?: HourlySeriesJSON) {
    if (json === undefined) {
      this.hist = [
        new LogHistogram(),
        new LogHistogram(),
        new LogHistogram(),
        new LogHistogram(),
        new LogHistogram(),
      ];
      this.foldedMax = [0, 0, 0, 0, 0];
      this.prevHi = -1;
      return;
    }
    this.hist = json.hs.map((h) => LogHistogram.fromJSON(h));
    this.foldedMax = [...json.mx];
    this.prevHi = json.ph;
    this.late = json.lt;
    for (let k = 0; k + 6 < json.rb.length; k += 7) {
      const h = json.rb[k]!;
      this.recent.push({
        h,
        e: json.rb[k + 1]!,
        r: json.rb[k + 2]!,
        b: json.rb[k + 3]!,
        i: json.rb[k + 4]!,
        lo: h * HOUR_MS + json.rb[k + 5]!,
        hi: h * HOUR_MS + json.rb[k + 6]!,
      });
    }
  }

  /** The newest (current, incomplete) hour bucket, if any. */
  get current(): HourBucket | undefined {
    return this.recent[this.recent.length - 1];
  }

  /**
   * Folds one event at `t` (ms) with its volume. Returns false when the event is older than the
   * kept span (counted in {@link late} only).
   */
  add(t: number, rows: number, bytes: number, items: number, toleranceHours: number): boolean {
    const h = Math.floor(t / HOUR_MS);
    const recent = this.recent;
    const cur = recent[recent.length - 1];
    let bucket: HourBucket;
    if (cur === undefined || h > cur.h) {
      bucket = { h, e: 0, r: 0, b: 0, i: 0, lo: t, hi: t };
      recent.push(bucket);
      if (cur !== undefined) {
        this.version++;
        this.foldBefore(h - toleranceHours + 1);
      }
    } else if (h === cur.h) {
      bucket = cur;
    } else {
      if (h <= cur.h - toleranceHours) {
        this.late++;
        return false;
      }
      let k = recent.length - 1;
      while (k >= 0 && recent[k]!.h > h) k--;
      if (k >= 0 && recent[k]!.h === h) {
        bucket = recent[k]!;
      } else {
        bucket = { h, e: 0, r: 0, b: 0, i: 0, lo: t, hi: t };
        recent.splice(k + 1, 0, bucket);
      }
      this.version++;
    }
    bucket.e++;
    bucket.r += rows;
    bucket.b += bytes;
    bucket.i += items;
    if (t < bucket.lo) bucket.lo = t;
    if (t > bucket.hi) bucket.hi = t;
    return true;
  }

  /** Folds every kept bucket with hour < `minHour` into the histograms, oldest first. */
  private foldBefore(minHour: number): void {
    let k = 0;
    while (k < this.recent.length && this.recent[k]!.h < minHour) {
      this.fold(this.recent[k]!);
      k++;
    }
    if (k > 0) this.recent.splice(0, k);
  }

  private fold(b: HourBucket): void {
    const [he, hr, hb, hi, hg] = this.hist as [
      LogHistogram,
      LogHistogram,
      LogHistogram,
      LogHistogram,
      LogHistogram,
    ];
    const mx = this.foldedMax;
    he.add(b.e);
    hr.add(b.r);
    hb.add(b.b);
    hi.add(b.i);
    if (b.e > mx[0]!) mx[0] = b.e;
    if (b.r > mx[1]!) mx[1] = b.r;
    if (b.b > mx[2]!) mx[2] = b.b;
    if (b.i > mx[3]!) mx[3] = b.i;
    if (this.prevHi >= 0) {
      const g = b.lo - this.prevHi;
      hg.add(g);
      if (g > mx[4]!) mx[4] = g;
    }
    if (b.e > 1) {
      const g = (b.hi - b.lo) / (b.e - 1);
      hg.add(g, b.e - 1);
      if (g > mx[4]!) mx[4] = g;
    }
    this.prevHi = b.hi;
  }

  /** Robust stats of a per-hour metric over completed hours (cached until the series changes). */
  stats(metric: SeriesMetric): RobustStats {
    const m = METRICS.indexOf(metric);
    const c = this.cache[m];
    if (c !== undefined && c.v === this.version) return c.s;
    const field = FIELD[metric];
    const pairs = this.hist[m]!.appendSamples([]);
    let max = this.foldedMax[m]!;
    for (let k = 0; k < this.recent.length - 1; k++) {
      const v = this.recent[k]![field];
      pairs.push(v, 1);
      if (v > max) max = v;
    }
    const s = pairs.length === 0 ? EMPTY_STATS : robustStatsOf(pairs, max);
    this.cache[m] = { v: this.version, s };
    return s;
  }

  /** Robust stats of inter-use gaps (ms) over completed hours; `n` is the number of gaps. */
  gapStats(): RobustStats {
    const c = this.cache[4];
    if (c !== undefined && c.v === this.version) return c.s;
    const pairs: WeightedSamples = this.hist[4]!.appendSamples([]);
    let max = this.foldedMax[4]!;
    let prevHi = this.prevHi;
    for (let k = 0; k < this.recent.length - 1; k++) {
      const b = this.recent[k]!;
      if (prevHi >= 0) {
        const g = b.lo - prevHi;
        pairs.push(g, 1);
        if (g > max) max = g;
      }
      if (b.e > 1) {
        const g = (b.hi - b.lo) / (b.e - 1);
        pairs.push(g, b.e - 1);
        if (g > max) max = g;
      }
      prevHi = b.hi;
    }
    const s = pairs.length === 0 ? EMPTY_STATS : robustStatsOf(pairs, max);
    this.cache[4] = { v: this.version, s };
    return s;
  }

  toJSON(): HourlySeriesJSON {
    const rb: number[] = [];
    for (const b of this.recent) rb.push(b.h, b.e, b.r, b.b, b.i, b.lo - b.h * HOUR_MS, b.hi - b.h * HOUR_MS);
    const hs = this.hist.map((h) => h.toJSON()) as HourlySeriesJSON['hs'];
    const mx = [...this.foldedMax] as HourlySeriesJSON['mx'];
    return { rb, hs, mx, ph: this.prevHi, lt: this.late };
  }
}
