import { BINS_PER_DOUBLING, LogHistogram } from './log-histogram.js';
import type { RobustStats } from './types.js';

export const HOUR_MS = 3_600_000;
/** Gaps only need their order of magnitude (dormancy is gaps far above p99): ±9% bins. */
const GAP_BINS_PER_DOUBLING = 4;
const GAP = 4;

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

/** The per-hour series kept: events and the three volume metrics (gaps are index 4). */
export type SeriesMetric = 'events' | 'rows' | 'bytes' | 'items';
const METRIC_INDEX = { events: 0, rows: 1, bytes: 2, items: 3 } as const;

/** Serialized {@link HourlySeries}. */
export interface HourlySeriesJSON {
  /**
   * recent buckets column-wise: [h - previous h (first: h), e, r, b, i, (lo - h*HOUR) / 1000 s,
   * (hi - lo) / 1000 s], one entry per bucket in each column; a column of zeros is written `0`
   */
  rb: (number[] | 0)[];
  /** histograms over completed hours (log-histogram.ts encoding) of events, rows, bytes, items, gaps */
  hs: [number[], number[], number[], number[], number[]];
  /** exact max over completed hours of events, rows, bytes, items; and of folded gaps */
  mx: [number, number, number, number, number];
  /** latest event time of the last folded bucket (ms), -1 when nothing was folded */
  ph: number;
  /** events too late to land in a kept bucket */
  lt: number;
}

const metricOf = (b: HourBucket, m: number): number => (m === 0 ? b.e : m === 1 ? b.r : m === 2 ? b.b : b.i);

/**
 * Events and volume per active UTC hour (event time) and the inter-use gap distribution.
 *
 * Late-event tolerance: the last `toleranceHours` hours (default 48, up to the newest event's
 * hour) are kept as exact {@link HourBucket}s, and a late event landing there is counted in its
 * true hour. Older buckets are folded away. An event older than the kept span is counted in
 * {@link late} only: the entity's other state still gets it, the hourly series and gaps do not.
 * With lateness below the tolerance the series is exactly independent of arrival order.
 *
 * Stats cover completed hours only (every hour but the newest). Each completed hour is in fixed-
 * size log histograms ({@link LogHistogram}, exact below 64, ±4.4% above; gaps ±9%), maintained
 * incrementally: an hour is added when it completes, and a late event into a kept completed hour
 * replaces that hour's contribution. Reading stats is O(occupied bins) and cached until the next
 * change (at most once per hour in an in-order stream). Max values are exact.
 *
 * Gaps (ms, at 1 s resolution: bucket times are truncated to whole seconds) between consecutive
 * events: between hours exactly (`next.lo - prev.hi`); inside an hour with `e` events
 * approximated as `e - 1` gaps of `(hi - lo) / (e - 1)` (their mean), so a max gap below one hour
 * can be understated; gaps across hours are exact (p99 up to binning).
 */
export class HourlySeries {
  /** kept buckets, ascending by hour; the last one is the current (newest) hour */
  readonly recent: HourBucket[] = [];
  /** completed hours: events, rows, bytes, items per hour, and gaps */
  private readonly hist: LogHistogram[];
  /** exact max of events, rows, bytes, items over completed hours; of gaps over folded hours */
  private readonly max: number[];
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
      this.max = [0, 0, 0, 0, 0];
      this.prevHi = -1;
      return;
    }
    this.hist = json.hs.map((h, k) =>
      LogHistogram.fromJSON(h, k === GAP ? GAP_BINS_PER_DOUBLING : BINS_PER_DOUBLING),
    );
    this.max = [...json.mx];
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
    const last = recent.length - 1;
    const cur = recent[last];
    if (cur === undefined || h > cur.h) {
      if (cur !== undefined) this.contribute(last, 1);
      recent.push(
        this.bump({ h, e: 0, r: 0, b: 0, i: 0, lo: Number.POSITIVE_INFINITY, hi: 0 }, t, rows, bytes, items),
      );
      if (cur !== undefined) {
        this.foldBefore(h - toleranceHours + 1);
        this.version++;
      }
      return true;
    }
    if (h === cur.h) {
      this.bump(cur, t, rows, bytes, items);
      return true;
    }
    if (h <= cur.h - toleranceHours) {
      this.late++;
      return false;
    }
    // a late event into the completed part: replace the affected contributions
    let k = last - 1;
    while (k >= 0 && recent[k]!.h > h) k--;
    const exists = k >= 0 && recent[k]!.h === h;
    if (!exists) k++;
    const nextCompleted = (exists ? k + 1 : k) < last;
    if (nextCompleted) this.interGap(exists ? k + 1 : k, -1);
    if (exists) this.contribute(k, -1);
    else recent.splice(k, 0, { h, e: 0, r: 0, b: 0, i: 0, lo: Number.POSITIVE_INFINITY, hi: 0 });
    this.bump(recent[k]!, t, rows, bytes, items);
    this.contribute(k, 1);
    if (nextCompleted) this.interGap(k + 1, 1);
    this.version++;
    return true;
  }

  private bump(b: HourBucket, t: number, rows: number, bytes: number, items: number): HourBucket {
    const ts = t - (t % 1000);
    b.e++;
    b.r += rows;
    b.b += bytes;
    b.i += items;
    if (ts < b.lo) b.lo = ts;
    if (ts > b.hi) b.hi = ts;
    return b;
  }

  /** Adds (sign 1) or removes (sign -1) the inter-hour gap ending at kept bucket `k`. */
  private interGap(k: number, sign: 1 | -1): void {
    const prevHi = k > 0 ? this.recent[k - 1]!.hi : this.prevHi;
    if (prevHi < 0) return;
    const g = this.recent[k]!.lo - prevHi;
    if (sign > 0) this.hist[GAP]!.add(g);
    else this.hist[GAP]!.remove(g);
  }

  /** Adds (1) or removes (-1) completed bucket `k`'s values, its intra-hour gaps and its inter gap. */
  private contribute(k: number, sign: 1 | -1): void {
    const b = this.recent[k]!;
    for (let m = 0; m < 4; m++) {
      const v = metricOf(b, m);
      if (sign > 0) {
        this.hist[m]!.add(v);
        if (v > this.max[m]!) this.max[m] = v;
      } else this.hist[m]!.remove(v);
    }
    if (b.e > 1) {
      const g = (b.hi - b.lo) / (b.e - 1);
      if (sign > 0) this.hist[GAP]!.add(g, b.e - 1);
      else this.hist[GAP]!.remove(g, b.e - 1);
    }
    this.interGap(k, sign);
  }

  /** Drops kept buckets with hour < `minHour` (already counted), keeping their exact max gap. */
  private foldBefore(minHour: number): void {
    const recent = this.recent;
    while (recent.length > 0 && recent[0]!.h < minHour) {
      const b = recent.shift()!;
      let g = this.prevHi >= 0 ? b.lo - this.prevHi : 0;
      if (b.e > 1) g = Math.max(g, (b.hi - b.lo) / (b.e - 1));
      if (g > this.max[GAP]!) this.max[GAP] = g;
      this.prevHi = b.hi;
    }
  }

  /** Robust stats of a per-hour metric over completed hours (cached until the series changes). */
  stats(metric: SeriesMetric): RobustStats {
    const m = METRIC_INDEX[metric];
    const c = this.cache[m];
    if (c !== undefined && c.v === this.version) return c.s;
    const s = this.hist[m]!.stats(this.max[m]!);
    this.cache[m] = { v: this.version, s };
    return s;
  }

  /** Exact max gap (ms) over completed hours: folded maximum and the kept completed buckets. */
  private gapMax(): number {
    let max = this.max[GAP]!;
    let prevHi = this.prevHi;
    const recent = this.recent;
    for (let k = 0; k < recent.length - 1; k++) {
      const b = recent[k]!;
      if (prevHi >= 0 && b.lo - prevHi > max) max = b.lo - prevHi;
      if (b.e > 1 && (b.hi - b.lo) / (b.e - 1) > max) max = (b.hi - b.lo) / (b.e - 1);
      prevHi = b.hi;
    }
    return max;
  }

  /** Robust stats of inter-use gaps (ms) over completed hours; `n` is the number of gaps. */
  gapStats(): RobustStats {
    const c = this.cache[GAP];
    if (c !== undefined && c.v === this.version) return c.s;
    const s = this.hist[GAP]!.stats(this.gapMax());
    this.cache[GAP] = { v: this.version, s };
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
    const mx = [...this.max] as HourlySeriesJSON['mx'];
    return { rb, hs, mx, ph: this.prevHi, lt: this.late };
  }
}
