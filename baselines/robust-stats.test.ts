import { mad, median, quantile } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { binOf, binValue, LogHistogram } from './log-histogram.js';
import { EMPTY_STATS, robustStatsOf, sortedStats } from './robust-stats.js';
import { seededRandom } from './seeded-random.js';

describe('robust stats', () => {
  it('equals simple-statistics on plain series', () => {
    const rnd = seededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rnd() * 200);
      const xs = Array.from({ length: n }, () => Math.floor(rnd() ** 3 * 500));
      const s = robustStatsOf(xs);
      expect(s.n).toBe(n);
      expect(s.median).toBeCloseTo(median(xs), 9);
      expect(s.mad).toBeCloseTo(mad(xs), 9);
      expect(s.p99).toBeCloseTo(quantile(xs, 0.99), 9);
      expect(s.max).toBe(Math.max(...xs));
    }
  });

  it('handles weights like the expanded series', () => {
    // 3 x 1, 1 x 2, 6 x 10: expanded [1,1,1,2,10,10,10,10,10,10]
    const s = sortedStats([1, 2, 10], [3, 1, 6], 3, 10, 10);
    const xs = [1, 1, 1, 2, 10, 10, 10, 10, 10, 10];
    expect(s).toEqual({ n: 10, median: median(xs), mad: mad(xs), p99: quantile(xs, 0.99), max: 10 });
    expect(s.median).toBe(10);
    expect(s.mad).toBe(0);
    expect(robustStatsOf([])).toBe(EMPTY_STATS);
    expect(robustStatsOf([7])).toEqual({ n: 1, median: 7, mad: 0, p99: 7, max: 7 });
  });
});

describe('LogHistogram', () => {
  it('bins exactly below 64 and within ±4.5% above', () => {
    expect(binValue(binOf(17))).toBe(17);
    expect(binValue(binOf(17.9))).toBe(17);
    expect(binOf(0)).toBe(0);
    expect(binOf(-5)).toBe(0);
    for (const v of [64, 100, 1234, 98_765, 5e9, 1e12]) {
      expect(Math.abs(binValue(binOf(v)) / v - 1)).toBeLessThan(0.045);
      expect(Math.abs(binValue(binOf(v, 4), 4) / v - 1)).toBeLessThan(0.091);
    }
  });

  it('removes what it added and serializes compactly', () => {
    const h = new LogHistogram();
    for (const v of [1, 1, 2, 5, 1000, 1000, 1e6]) h.add(v);
    h.add(3, 4);
    h.remove(1000);
    h.remove(2);
    h.remove(424242); // absent: no-op
    expect(h.count).toBe(9);
    // bins 1 (x2), 3 (x4), 5 (x1), then 1000 and 1e6 in the log range, empty runs as negatives
    const json = h.toJSON();
    expect(json.slice(0, 5)).toEqual([1, 2, -1, 4, -1]);
    expect(LogHistogram.fromJSON(json).toJSON()).toEqual(json);
    expect(LogHistogram.fromJSON(json).stats(1e6)).toEqual(h.stats(1e6));
    expect(new LogHistogram().toJSON()).toEqual([]);
    expect(new LogHistogram().stats(0)).toBe(EMPTY_STATS);
  });
});
