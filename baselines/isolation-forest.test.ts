import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { averagePathLength, IsolationForestModel } from './isolation-forest.js';
import { SeededRandom } from './seeded-random.js';

const require = createRequire(import.meta.url);

/** `n` rows of `d` values around 0 (sum of three uniforms: bell-shaped, bounded ±1.5). */
function cluster(n: number, d: number, seed: number): number[][] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: d }, () => r.next() + r.next() + r.next() - 1.5),
  );
}

const D = 6;
const TRAIN = cluster(1024, D, 1);
const INLIERS = cluster(200, D, 2);
const OUTLIER = Array.from({ length: D }, () => 4);

describe('averagePathLength (c(n), Liu et al. eq. 1)', () => {
  it('is 0 for 0-1 points, 1 for 2, 2H(n-1) - 2(n-1)/n beyond', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // 2 (ln 255 + γ) - 2·255/256
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 4);
    // Exact harmonic number for a small n: H(9) = 2.828968..., c(10) = 2 H(9) - 1.8 = 3.8579
    // (the paper's ln + γ approximation of H is ~0.11 below it at n = 10, exact as n grows).
    expect(averagePathLength(10)).toBeCloseTo(3.8579 - 0.109, 2);
  });
});

describe('IsolationForestModel', () => {
  const model = new IsolationForestModel().train(TRAIN, { trees: 100, sampleSize: 256, seed: 7 });

  it('scores are finite, in (0, 1], inliers around or below 0.5', () => {
    const scores = INLIERS.map((r) => model.score(r));
    expect(scores.every((s) => Number.isFinite(s) && s > 0 && s <= 1)).toBe(true);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.55);
    expect(model.trained).toBe(true);
    expect(model).toMatchObject({ dimensions: D, trainedOn: 1024, sampleSize: 256, treeCount: 100 });
  });

  it('orders: an obvious outlier scores above every inlier, and farther above the range scores higher', () => {
    const inlierMax = Math.max(...INLIERS.map((r) => model.score(r)));
    const outlier = model.score(OUTLIER);
    expect(outlier).toBeGreaterThan(inlierMax);
    expect(outlier).toBeGreaterThan(0.6);
    const ext = new IsolationForestModel().train(TRAIN, { seed: 7, extrapolateAbove: true });
    const along = (x: number) => ext.score([x, 0, 0, 0, 0, 0]);
    expect(along(2)).toBeLessThan(along(4));
    expect(along(4)).toBeLessThan(along(16));
    expect(ext.score(OUTLIER)).toBeGreaterThan(outlier);
  });

  it('is reproducible: same rows + same seed => bit-identical scores, also from a second instance', () => {
    const again = new IsolationForestModel().train(TRAIN, { trees: 100, sampleSize: 256, seed: 7 });
    for (const r of [...INLIERS.slice(0, 50), OUTLIER]) expect(again.score(r)).toBe(model.score(r));
    expect(again.nodeCount).toBe(model.nodeCount);
  });

  it('a different seed gives close but not identical scores', () => {
    const other = new IsolationForestModel().train(TRAIN, { trees: 100, sampleSize: 256, seed: 8 });
    const diffs = INLIERS.map((r) => Math.abs(other.score(r) - model.score(r)));
    expect(Math.max(...diffs)).toBeGreaterThan(0);
    expect(Math.max(...diffs)).toBeLessThan(0.06);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(0.02);
  });

  it('retraining replaces the model (ml-isolation-forest appends trees and keeps scoring the old ones)', () => {
    const m = new IsolationForestModel().train(TRAIN, { seed: 1 });
    const before = m.score(OUTLIER);
    m.train(
      cluster(300, D, 9).map((r) => r.map((x) => x * 4)),
      { seed: 1 },
    );
    expect(m.trainedOn).toBe(300);
    expect(m.score(OUTLIER)).toBeLessThan(before);
  });

  it('bounds training cost: ψ-row samples, at most t (2ψ - 1) nodes, independent of the training size', () => {
    const big = cluster(20_000, D, 3);
    const t0 = performance.now();
    const m = new IsolationForestModel().train(big, { trees: 100, sampleSize: 256, seed: 1 });
    const ms = performance.now() - t0;
    expect(m.nodeCount).toBeLessThanOrEqual(100 * (2 * 256 - 1));
    // Same ψ => same order of nodes as the 1,024-row model (ml-isolation-forest grows with n).
    expect(m.nodeCount).toBeLessThan(model.nodeCount * 1.5);
    // ~10-40 ms on a laptop; generous for loaded CI machines.
    expect(ms).toBeLessThan(2_000);
  });

  it('uses all rows when there are fewer than ψ, and isolates duplicates-only training sets sensibly', () => {
    const small = new IsolationForestModel().train(cluster(50, D, 4), { seed: 2 });
    expect(small.sampleSize).toBe(50);
    expect(Number.isFinite(small.score(OUTLIER))).toBe(true);
    // All-identical rows: every node is a leaf of duplicates; a different row is not more normal.
    const dup = new IsolationForestModel().train(
      Array.from({ length: 10 }, () => [1, 2]),
      { seed: 1 },
    );
    expect(dup.score([1, 2])).toBeGreaterThan(0);
    expect(dup.score([5, 5])).toBeGreaterThanOrEqual(dup.score([1, 2]));
  });

  it('isolates a value above a feature that never varied (a first novelty flag)', () => {
    const r = new SeededRandom(5);
    const rows = Array.from({ length: 512 }, () => [r.next(), r.next(), 0]);
    const m = new IsolationForestModel().train(rows, { seed: 3 });
    expect(m.score([0.5, 0.5, 1])).toBeGreaterThan(m.score([0.5, 0.5, 0]) + 0.1);
  });

  it('scoreAbove is exact: the score when at least the floor, else undefined (decided early)', () => {
    const ext = new IsolationForestModel().train(TRAIN, { seed: 4, extrapolateAbove: true });
    const rows = [...INLIERS.slice(0, 100), OUTLIER, [0, 0, 3, 0, 0, 0], [2, 2, 0, 0, 0, 0]];
    for (const m of [model, ext]) {
      for (const row of rows) {
        const s = m.score(row);
        for (const floor of [0, 0.3, 0.45, 0.5, 0.55, 0.6, 0.7, s, 0.9]) {
          expect(m.scoreAbove(row, floor)).toBe(s >= floor ? s : undefined);
        }
      }
    }
  });

  it('extrapolateAbove leaves in-range scores unchanged', () => {
    const plain = new IsolationForestModel().train(TRAIN, { seed: 11 });
    const ext = new IsolationForestModel().train(TRAIN, { seed: 11, extrapolateAbove: true });
    // Rows inside every tree sample's range (central) are scored identically.
    for (const row of INLIERS.filter((x) => x.every((v) => Math.abs(v) < 0.5)).slice(0, 20)) {
      expect(ext.score(row)).toBe(plain.score(row));
    }
  });

  it('attributes an outlier to the feature that makes it one (substitution by a reference row)', () => {
    const medians = Array.from({ length: D }, () => 0);
    const row = [0, 0, 5, 0, 0, 0];
    const contributions = model.contributions(row, medians);
    expect(contributions).toHaveLength(D);
    expect(contributions[0]?.group).toBe(2);
    expect(contributions[0]?.drop).toBeGreaterThan(0.05);
    for (const c of contributions.slice(1)) expect(Math.abs(c.drop)).toBeLessThan(contributions[0]!.drop);
    // Groups move features together: (0, 1) and (2, 3).
    const grouped = model.contributions(row, medians, [
      [0, 1],
      [2, 3],
    ]);
    expect(grouped.map((c) => c.group)).toEqual([1, 0]);
  });

  it('rejects bad input instead of scoring it', () => {
    const m = new IsolationForestModel();
    expect(() => m.score([1, 2])).toThrow(/before train/);
    expect(() => m.train([[1, 2]])).toThrow(RangeError);
    expect(() => m.train([[1, 2], [1]])).toThrow(/row 1 has 1 features/);
    expect(() =>
      m.train([
        [1, 2],
        [Number.NaN, 1],
      ]),
    ).toThrow(/not finite/);
    expect(() => m.train(TRAIN, { trees: 0 })).toThrow(/trees/);
    expect(() => m.train(TRAIN, { sampleSize: 1 })).toThrow(/sampleSize/);
    expect(() => model.score([1, 2])).toThrow(/expected 6/);
    expect(() => model.score([0, 0, Number.POSITIVE_INFINITY, 0, 0, 0])).toThrow(/not finite/);
    expect(() => model.contributions(OUTLIER, [0])).toThrow(/reference/);
  });
});

/**
 * The findings about ml-isolation-forest 0.1.0 that made us replace it (see isolation-forest.ts),
 * pinned so an upgrade that fixes them shows up here. Also a cross-check of our scores against it.
 */
describe('ml-isolation-forest 0.1.0 (replaced)', () => {
  interface MlForest {
    nEstimators: number;
    forest: unknown[];
    train(rows: number[][]): void;
    predict(rows: number[][]): number[];
  }
  const { IsolationForest } = require('ml-isolation-forest') as {
    IsolationForest: new (options?: unknown) => MlForest;
  };
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('ignores a numeric constructor argument and appends trees on retraining', () => {
    expect(new IsolationForest(10).nEstimators).toBe(100);
    const f = new IsolationForest({ nEstimators: 5 });
    f.train(TRAIN.slice(0, 64));
    f.train(TRAIN.slice(0, 64));
    expect(f.forest).toHaveLength(10);
  });

  it('is not reproducible: it draws from Math.random and takes no seed', () => {
    const spy = vi.spyOn(Math, 'random');
    const f = new IsolationForest({ nEstimators: 10 });
    f.train(TRAIN.slice(0, 128));
    expect(spy).toHaveBeenCalled();
  });

  it('ranks like ours when its Math.random is seeded (Spearman > 0.8 on inliers + outliers)', () => {
    const r = new SeededRandom(123);
    vi.spyOn(Math, 'random').mockImplementation(() => r.next());
    const f = new IsolationForest({ nEstimators: 100 });
    f.train(TRAIN.slice(0, 256));
    const probe = [...INLIERS.slice(0, 60), ...cluster(20, D, 6).map((row) => row.map((x) => x * 3))];
    const theirs = f.predict(probe);
    vi.restoreAllMocks();
    const ours = new IsolationForestModel().train(TRAIN.slice(0, 256), { seed: 5 });
    expect(
      spearman(
        probe.map((p) => ours.score(p)),
        theirs,
      ),
    ).toBeGreaterThan(0.8);
  });
});

function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (xs: readonly number[]) => {
    const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const ranks = new Array<number>(xs.length);
    order.forEach(([, i], k) => {
      ranks[i] = k;
    });
    return ranks;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  const d2 = ra.reduce((acc, x, i) => acc + (x - rb[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}
