import { BINS_PER_DOUBLING, LogHistogram } from './log-histogram.js';
import { EMPTY_STATS, robustStatsOf, type WeightedSamples } from './robust-stats.js';
import type { RobustStats } from './types.js';

export const HOUR_MS = 3_600_000;
/** Gaps only need their order of magnitude (dormancy is gaps far above p99): ±9% bins. */
const GAP_BINS_PER_DOUBLING = 4;

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
  /** earliest and latest event time in the hour (ms, truncated to whole seconds) */
  lo: number;
  hi: number;
}

/** The per-hour series kept: events and the three volume metrics, plus inter-use gaps (ms). */
export type SeriesMetric = 'events' | 'rows' | 'bytes' | 'items';
const METRICS: readonly SeriesMetric[] = ['events', 'rows', 'bytes', 'items'];
const FIELD = { events: 'e', rows: 'r', bytes: 'b', items: 'i' } as const;

/** Serialized {@link HourlySeries}. */
export interface HourlySeriesJSON {
  /**
   * recent buckets column-wise: [h - previous h (first: h), e, r, b, i, (lo - h*HOUR) / 1000 s,
   * (hi - lo) / 1000 s], one entry per bucket in each column; a column of zeros is written `0`
   */
  rb: (number[] | 0)[];
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
 * order) into fixed-size log histograms ({@link LogHistogram}, ±4.4% above 64, gaps ±9%). An event older
 * than the kept span is counted in {@link late} only: the entity's other state still gets it,
 * the hourly series and gaps do not. With lateness below the tolerance the series is exactly
 * independent of arrival order.
 *
 * Stats cover completed hours only (every kept or folded hour but the newest one), so they change
 * at most once per hour in an in-order stream and are cached between changes.
 *
 * Gaps (ms, at 1 s resolution: bucket times are truncated to whole seconds) between consecutive
 * events: between hours exactly (`next.lo - prev.hi`); inside an
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
        new LogHistogram(GAP_BINS_PER_DOUBLING),
      ];
      this.foldedMax = [0, 0, 0, 0, 0];
      this.prevHi = -1;
      return;
    }
    this.hist = json.hs.map((h, k) =>
      LogHistogram.fromJSON(h, k === 4 ? GAP_BINS_PER_DOUBLING : BINS_PER_DOUBLING),
    );
    this.foldedMax = [...json.mx];
    this.prevHi = json.ph;
    this.late = json.lt;
    const cols = json.rb;
    const col = (c: number, k: number): number => {
      const v = cols[c];
      return v === 0 || v === undefined ? 0 : (v[k] ?? 0);
    };
    const n = cols.reduce<number>((m, c) => (c === 0 ? m : Math.max(m, c.length)), 0);
    let h = 0;
    for (let k = 0; k < n; k++) {
      h += col(0, k);
      const lo = h * HOUR_MS + col(5, k) * 1000;
      this.recent.push({
        h,
        e: col(1, k),
        r: col(2, k),
        b: col(3, k),
        i: col(4, k),
        lo,
        hi: lo + col(6, k) * 1000,
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
      bucket = { h, e: 0, r: 0, b: 0, i: 0, lo: Number.POSITIVE_INFINITY, hi: 0 };
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
        bucket = { h, e: 0, r: 0, b: 0, i: 0, lo: Number.POSITIVE_INFINITY, hi: 0 };
        recent.splice(k + 1, 0, bucket);
      }
      this.version++;
    }
    bucket.e++;
    bucket.r += rows;
    bucket.b += bytes;
    bucket.i += items;
    const ts = t - (t % 1000);
    if (ts < bucket.lo) bucket.lo = ts;
    if (ts > bucket.hi) bucket.hi = ts;
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
    const cols: number[][] = [[], [], [], [], [], [], []];
    let prev = 0;
    for (const b of this.recent) {
      const row = [b.h - prev, b.e, b.r, b.b, b.i, (b.lo - b.h * HOUR_MS) / 1000, (b.hi - b.lo) / 1000];
      for (let c = 0; c < 7; c++) cols[c]!.push(row[c]!);
      prev = b.h;
    }
    const rb = cols.map((c) => (c.every((v) => v === 0) ? 0 : c)) as (number[] | 0)[];
    const hs = this.hist.map((h) => h.toJSON()) as HourlySeriesJSON['hs'];
    const mx = [...this.foldedMax] as HourlySeriesJSON['mx'];
    return { rb, hs, mx, ph: this.prevHi, lt: this.late };
  }
}
