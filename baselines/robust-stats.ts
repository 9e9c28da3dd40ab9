import type { RobustStats } from './types.js';

/** Robust stats of an empty series. */
export const EMPTY_STATS: RobustStats = Object.freeze({ n: 0, median: 0, mad: 0, p99: 0, max: 0 });

/**
 * A weighted sample: `count` observations of `value`. Kept as a flat array
 * `[value0, count0, value1, count1, ...]` to avoid one object per sample.
 */
export type WeightedSamples = number[];

/** Sorts flat `[value, count]` pairs by value, in place; returns the same array. */
const sortPairs = (pairs: WeightedSamples): WeightedSamples => {
  const idx: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) idx.push(i);
  idx.sort((a, b) => pairs[a]! - pairs[b]!);
  const out: number[] = new Array(pairs.length);
  for (let j = 0; j < idx.length; j++) {
    out[2 * j] = pairs[idx[j]!]!;
    out[2 * j + 1] = pairs[idx[j]! + 1]!;
  }
  for (let i = 0; i < out.length; i++) pairs[i] = out[i]!;
  return pairs;
};

/** Value at 0-based rank `k` of sorted weighted pairs. */
const valueAtRank = (sorted: WeightedSamples, k: number): number => {
  let cum = 0;
  for (let i = 0; i < sorted.length; i += 2) {
    cum += sorted[i + 1]!;
    if (k < cum) return sorted[i]!;
  }
  return sorted[sorted.length - 2] ?? 0;
};

/**
 * Quantile of sorted weighted pairs holding `n` observations, linear interpolation between order
 * statistics at rank (n - 1) x p (type 7, numpy's default and simple-statistics 7.8 `quantile`), so
 * results equal `quantile(expandedSeries, p)`.
 */
export const weightedQuantile = (sorted: WeightedSamples, n: number, p: number): number => {
  if (n === 0) return 0;
  if (p >= 1) return valueAtRank(sorted, n - 1);
  if (p <= 0) return valueAtRank(sorted, 0);
  const idx = (n - 1) * p;
  const lower = Math.floor(idx);
  const lo = valueAtRank(sorted, lower);
  if (idx === lower) return lo;
  return lo + (idx - lower) * (valueAtRank(sorted, lower + 1) - lo);
};

/**
 * Median, MAD (median of |x - median|, unscaled, as simple-statistics `medianAbsoluteDeviation`),
 * p99 and max of weighted samples. `pairs` is consumed (sorted in place). `exactMax`, when given,
 * replaces the sample max (histogram bins only approximate large values) and caps p99.
 */
export const robustStatsOf = (pairs: WeightedSamples, exactMax?: number): RobustStats => {
  let n = 0;
  for (let i = 1; i < pairs.length; i += 2) n += pairs[i]!;
  if (n === 0) return EMPTY_STATS;
  const sorted = sortPairs(pairs);
  const median = weightedQuantile(sorted, n, 0.5);
  const max = exactMax ?? sorted[sorted.length - 2]!;
  const p99 = Math.min(weightedQuantile(sorted, n, 0.99), max);
  const dev: number[] = new Array(sorted.length);
  for (let i = 0; i < sorted.length; i += 2) {
    dev[i] = Math.abs(sorted[i]! - median);
    dev[i + 1] = sorted[i + 1]!;
  }
  const mad = weightedQuantile(sortPairs(dev), n, 0.5);
  return { n, median, mad, p99, max };
};
