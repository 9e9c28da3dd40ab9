import type { RobustStats } from './types.js';

/** Robust stats of an empty series. */
export const EMPTY_STATS: RobustStats = Object.freeze({ n: 0, median: 0, mad: 0, p99: 0, max: 0 });

/** Value at 0-based rank `r` of ascending weighted values. */
const rankValue = (vals: ArrayLike<number>, cnts: ArrayLike<number>, len: number, r: number): number => {
  let cum = 0;
  for (let i = 0; i < len; i++) {
    cum += cnts[i]!;
    if (r < cum) return vals[i]!;
  }
  return vals[len - 1]!;
};

/**
 * Quantile of `n` observations given as ascending `vals[i]` x `cnts[i]`: linear interpolation
 * between order statistics at rank (n - 1) x p (type 7: numpy's default, simple-statistics 7.8
 * `quantile`), so results equal `quantile(expandedSeries, p)`. O(len).
 */
export const weightedQuantile = (
  vals: ArrayLike<number>,
  cnts: ArrayLike<number>,
  len: number,
  n: number,
  p: number,
): number => {
  if (n === 0) return 0;
  const idx = (n - 1) * p;
  const lower = Math.floor(idx);
  const lo = rankValue(vals, cnts, len, lower);
  if (idx === lower) return lo;
  return lo + (idx - lower) * (rankValue(vals, cnts, len, lower + 1) - lo);
};

/**
 * Median absolute deviation around `median` (unscaled, type-7 median of |x - median|, as
 * simple-statistics `medianAbsoluteDeviation`). Walks outwards from the median, merging the
 * two ascending deviation streams: O(len), no sorting, no allocation.
 */
const weightedMad = (
  vals: ArrayLike<number>,
  cnts: ArrayLike<number>,
  len: number,
  n: number,
  median: number,
): number => {
  let r = 0;
  while (r < len && vals[r]! <= median) r++;
  let l = r - 1;
  const idx = (n - 1) * 0.5;
  const a = Math.floor(idx);
  let cum = 0;
  let dA = Number.NaN;
  let dB = Number.NaN;
  while (l >= 0 || r < len) {
    const dl = l >= 0 ? median - vals[l]! : Number.POSITIVE_INFINITY;
    const dr = r < len ? vals[r]! - median : Number.POSITIVE_INFINITY;
    let d: number;
    let c: number;
    if (dl <= dr) {
      d = dl;
      c = cnts[l]!;
      l--;
    } else {
      d = dr;
      c = cnts[r]!;
      r++;
    }
    if (Number.isNaN(dA) && a < cum + c) dA = d;
    if (a + 1 < cum + c) {
      dB = d;
      break;
    }
    cum += c;
  }
  return idx === a || Number.isNaN(dB) ? dA : dA + (idx - a) * (dB - dA);
};

/**
 * Median, MAD, p99 and max of `n` observations given as ascending `vals[i]` x `cnts[i]`. `max`
 * is the exact maximum (histogram bins only approximate large values) and also caps p99. O(len).
 */
export const sortedStats = (
  vals: ArrayLike<number>,
  cnts: ArrayLike<number>,
  len: number,
  n: number,
  max: number,
): RobustStats => {
  if (n === 0 || len === 0) return EMPTY_STATS;
  const median = weightedQuantile(vals, cnts, len, n, 0.5);
  const p99 = Math.min(weightedQuantile(vals, cnts, len, n, 0.99), max);
  return { n, median, mad: weightedMad(vals, cnts, len, n, median), p99, max };
};

/** Robust stats of an unsorted plain series (sorts a copy; for tests and cold paths). */
export const robustStatsOf = (series: readonly number[]): RobustStats => {
  if (series.length === 0) return EMPTY_STATS;
  const sorted = [...series].sort((x, y) => x - y);
  const ones = new Array<number>(sorted.length).fill(1);
  return sortedStats(sorted, ones, sorted.length, sorted.length, sorted[sorted.length - 1]!);
};
