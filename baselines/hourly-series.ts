import { BINS_PER_DOUBLING, LogHistogram } from './log-histogram.js';
import type { RobustStats } from './types.js';

export const HOUR_MS = 3_600_000;
/** Gaps only need their order of magnitude (dormancy is gaps far above p99): ±9.1% bins. */
const GAP_BINS_PER_DOUBLING = 4;
const GAP = 4;

/**
 * Kept hour buckets are packed in one flat array, {@link STRIDE} numbers per active UTC hour:
 * hour index floor(t / 3,600,000), events, rows, bytes, items (summed; missing volume counts 0),
 * and the earliest and latest event time as whole seconds since the hour's start (0..3599).
 * One array of small numbers instead of an object per hour: ~40% less heap.
 */
const STRIDE = 7;
const H = 0;
const E = 1;
const LO = 5;
const HI = 6;

/** The newest (current) hour's counters. */
export interface CurrentHour {
  /** hour index floor(t / 3,600,000) */
  h: number;
  events: number;
  rows: number;
  bytes: number;
  items: number;
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

/**
 * Events and volume per active UTC hour (event time) and the inter-use gap distribution.
 *
 * Late-event tolerance: the last `toleranceHours` hours (default 48, up to the newest event's
 * hour) are kept as exact hour buckets, and a late event landing there is counted in its
 * true hour. Older buckets are folded away. An event older than the kept span is counted in
 * {@link late} only: the entity's other state still gets it, the hourly series and gaps do not.
 * With lateness below the tolerance the series is exactly independent of arrival order.
 *
 * Stats cover completed hours only (every hour but the newest). Each completed hour is in fixed-
 * size log histograms ({@link LogHistogram}, exact below 64, ±4.5% above; gaps ±9.1%), maintained
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
  /**
   * kept buckets, ascending by hour, {@link STRIDE} numbers each from {@link off}; the last is the
   * current hour. Folding advances `off`; the dead prefix is dropped once it holds 4 buckets.
   */
  private readonly rb: number[] = [];
  private off = 0;
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
      const lo = col(5, k);
      this.rb.push(h, col(1, k), col(2, k), col(3, k), col(4, k), lo, lo + col(6, k));
    }
  }

  /** Number of kept hour buckets (the last one is the current hour). */
  get kept(): number {
    return (this.rb.length - this.off) / STRIDE;
  }

  /** Copies the newest (current, incomplete) hour's counters into `out`; false when empty. */
  currentInto(out: CurrentHour): boolean {
    const rb = this.rb;
    const o = rb.length - STRIDE;
    if (o < this.off) return false;
    out.h = rb[o]!;
    out.events = rb[o + 1]!;
    out.rows = rb[o + 2]!;
    out.bytes = rb[o + 3]!;
    out.items = rb[o + 4]!;
    return true;
  }

  /**
   * True when hour index `h` (floor(t / 3,600,000)) is a kept bucket: an event at that hour
   * would join an hour already counted. Newest bucket first (where nearly every event lands).
   */
  hasBucket(h: number): boolean {
    for (let k = this.kept - 1; k >= 0; k--) {
      const kh = this.hourOf(k);
      if (kh === h) return true;
      if (kh < h) return false;
    }
    return false;
  }

  private hourOf(k: number): number {
    return this.rb[this.off + k * STRIDE + H]!;
  }

  /** Earliest / latest event time of kept bucket `k`, epoch ms (whole seconds). */
  private loMs(k: number): number {
    const o = this.off + k * STRIDE;
    return this.rb[o]! * HOUR_MS + this.rb[o + LO]! * 1000;
  }

  private hiMs(k: number): number {
    const o = this.off + k * STRIDE;
    return this.rb[o]! * HOUR_MS + this.rb[o + HI]! * 1000;
  }

  /** Mean gap (ms) between the events of kept bucket `k` (which has at least 2). */
  private intraGap(k: number): number {
    const o = this.off + k * STRIDE;
    return ((this.rb[o + HI]! - this.rb[o + LO]!) * 1000) / (this.rb[o + E]! - 1);
  }

  /**
   * Folds one event at `t` (ms) with its volume. Returns false when the event is older than the
   * kept span (counted in {@link late} only).
   */
  add(t: number, rows: number, bytes: number, items: number, toleranceHours: number): boolean {
    const h = Math.floor(t / HOUR_MS);
    const rb = this.rb;
    const last = this.kept - 1;
    const curH = last >= 0 ? this.hourOf(last) : Number.NEGATIVE_INFINITY;
    if (h > curH) {
      if (last >= 0) this.contribute(last, 1);
      rb.push(h, 0, 0, 0, 0, 3600, 0);
      this.bump(last + 1, t, rows, bytes, items);
      if (last >= 0) {
        this.foldBefore(h - toleranceHours + 1);
        this.version++;
      }
      return true;
    }
    if (h === curH) {
      this.bump(last, t, rows, bytes, items);
      return true;
    }
    if (h <= curH - toleranceHours) {
      this.late++;
      return false;
    }
    // a late event into the completed part: replace the affected contributions
    let k = last - 1;
    while (k >= 0 && this.hourOf(k) > h) k--;
    const exists = k >= 0 && this.hourOf(k) === h;
    if (!exists) k++;
    const nextCompleted = (exists ? k + 1 : k) < last;
    if (nextCompleted) this.interGap(exists ? k + 1 : k, -1);
    if (exists) this.contribute(k, -1);
    else rb.splice(this.off + k * STRIDE, 0, h, 0, 0, 0, 0, 3600, 0);
    this.bump(k, t, rows, bytes, items);
    this.contribute(k, 1);
    if (nextCompleted) this.interGap(k + 1, 1);
    this.version++;
    return true;
  }

  private bump(k: number, t: number, rows: number, bytes: number, items: number): void {
    const rb = this.rb;
    const o = this.off + k * STRIDE;
    const ts = Math.floor((t - rb[o]! * HOUR_MS) / 1000);
    rb[o + 1]!++;
    rb[o + 2]! += rows;
    rb[o + 3]! += bytes;
    rb[o + 4]! += items;
    if (ts < rb[o + LO]!) rb[o + LO] = ts;
    if (ts > rb[o + HI]!) rb[o + HI] = ts;
  }

  /** Adds (sign 1) or removes (sign -1) the inter-hour gap ending at kept bucket `k`. */
  private interGap(k: number, sign: 1 | -1): void {
    const prevHi = k > 0 ? this.hiMs(k - 1) : this.prevHi;
    if (prevHi < 0) return;
    const g = this.loMs(k) - prevHi;
    if (sign > 0) this.hist[GAP]!.add(g);
    else this.hist[GAP]!.remove(g);
  }

  /** Adds (1) or removes (-1) completed bucket `k`'s values, its intra-hour gaps and its inter gap. */
  private contribute(k: number, sign: 1 | -1): void {
    const o = this.off + k * STRIDE;
    for (let m = 0; m < 4; m++) {
      const v = this.rb[o + 1 + m]!;
      if (sign > 0) {
        this.hist[m]!.add(v);
        if (v > this.max[m]!) this.max[m] = v;
      } else this.hist[m]!.remove(v);
    }
    const e = this.rb[o + E]!;
    if (e > 1) {
      const g = this.intraGap(k);
      if (sign > 0) this.hist[GAP]!.add(g, e - 1);
      else this.hist[GAP]!.remove(g, e - 1);
    }
    this.interGap(k, sign);
  }

  /** Drops kept buckets with hour < `minHour` (already counted), keeping their exact max gap. */
  private foldBefore(minHour: number): void {
    let k = 0;
    const n = this.kept;
    while (k < n && this.hourOf(k) < minHour) {
      let g = this.prevHi >= 0 ? this.loMs(k) - this.prevHi : 0;
      if (this.rb[this.off + k * STRIDE + E]! > 1) g = Math.max(g, this.intraGap(k));
      if (g > this.max[GAP]!) this.max[GAP] = g;
      this.prevHi = this.hiMs(k);
      k++;
    }
    if (k === 0) return;
    this.off += k * STRIDE;
    if (this.off >= 4 * STRIDE) {
      this.rb.splice(0, this.off);
      this.off = 0;
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
    for (let k = 0; k < this.kept - 1; k++) {
      if (prevHi >= 0 && this.loMs(k) - prevHi > max) max = this.loMs(k) - prevHi;
      if (this.rb[this.off + k * STRIDE + E]! > 1 && this.intraGap(k) > max) max = this.intraGap(k);
      prevHi = this.hiMs(k);
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
    const rb = this.rb;
    for (let o = this.off; o < rb.length; o += STRIDE) {
      const row = [
        rb[o]! - prev,
        rb[o + 1]!,
        rb[o + 2]!,
        rb[o + 3]!,
        rb[o + 4]!,
        rb[o + LO]!,
        rb[o + HI]! - rb[o + LO]!,
      ];
      for (let c = 0; c < 7; c++) cols[c]!.push(row[c]!);
      prev = rb[o]!;
    }
    const packed = cols.map((c) => (c.every((v) => v === 0) ? 0 : c)) as (number[] | 0)[];
    const hs = this.hist.map((h) => h.toJSON()) as HourlySeriesJSON['hs'];
    const mx = [...this.max] as HourlySeriesJSON['mx'];
    return { rb: packed, hs, mx, ph: this.prevHi, lt: this.late };
  }
}
