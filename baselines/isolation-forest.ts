import { SeededRandom } from './seeded-random.js';

/**
 * Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008), hand-rolled, seeded and
 * subsampled.
 *
 * Why not `ml-isolation-forest` 0.1.0 (a devDependency only: `isolation-forest.test.ts` pins the
 * findings below and cross-checks our ranking against it). Read from its `src/` and `lib/index.js`
 * and measured (Node 20, 11 features, 100 trees, 2-core box under load, best of 5):
 * - **Not reproducible.** `TreeNode.train` draws split features and values with `Math.random()`
 *   and takes no seed: two fits on the same 2,048 rows scored the same row 0.5695 and 0.5662, so a
 *   replay would not give the same alerts. Swapping `Math.random` during the fit would fix this but
 *   leaves the problems below.
 * - **No subsampling.** Every tree is grown on the whole training set to depth ⌈log2 n⌉, not on a
 *   ψ = 256 sample: on 2,048 rows training took 156-190 ms and scoring 40-107 µs/row (1.0 s and
 *   307 µs/row at 10k rows), and a forest holds ~29 MB of heap, because every node keeps a
 *   filtered copy of its rows and every leaf keeps its rows. Here: 4-7 ms, 7-11 µs/row, ~330 KB.
 * - **Normalization constant off.** `c(n)` is computed as `2 ln(n-1) + 0.57721 - 2(n-1)/n`, i.e.
 *   with Euler's constant added once instead of twice (c(n) = 2 H(n-1) - 2(n-1)/n, H(i) ≈ ln i + γ).
 * - **Retraining is a no-op.** `train()` appends trees to `this.forest` and `predict()` reads only
 *   the first `nEstimators`, so a second `train()` on the same instance keeps the old model.
 * - **API traps.** The constructor takes `{ nEstimators }`; `new IsolationForest(10)` silently
 *   gives 100 trees. The README imports a default export that `lib/` does not have (only the named
 *   `IsolationForest`). A 1-row training set scores NaN, NaN inputs are scored silently, and a
 *   constant training set scores everything 0.018 (an outlier too).
 * - **Not serializable** (class instances holding the training rows), so a model cannot go into a
 *   snapshot; and no access to split features, which the per-feature contributions need.
 *
 * This implementation follows the paper: t trees (default 100), each grown on ψ rows (default
 * 256) sampled without replacement, height limit ⌈log2 ψ⌉, split attribute drawn uniformly among
 * all attributes, split value uniform between the node's min and max, a node is a leaf when it
 * holds one row or only duplicates, path length h(x) = e + c(leaf size), score
 * s(x) = 2^(-E[h(x)] / c(ψ)) in (0, 1]: ~1 is isolated quickly (anomalous), under ~0.5 normal.
 *
 * One deliberate difference: rows go left when `x <= split` (the paper: `x < split`). It only
 * matters when the chosen attribute is constant within the node (split = that value): the paper
 * then sends everything right and can only isolate *smaller* values there; here everything goes
 * left and the empty right side isolates *larger* values. For token activity "larger" is what
 * matters: a novelty flag that is 0 in every sampled peer row (a first new client family) or a
 * count beyond anything the node saw is isolated right there, instead of never (scikit-learn skips
 * constant attributes, so a flag that never varies in the sample cannot count at all). Inliers pay
 * a little extra depth for these splits, which widens the gap between inliers and outliers.
 *
 * Extrapolation (option `extrapolateAbove`, used by peer-models.ts). Plain iForest treats a value
 * far beyond the training range like the range's edge: splits are drawn within the node's rows, so
 * a value 20x above every peer follows the same path as the peers' maximum. Measured on a
 * synthetic GitHub PAT peer group (developers, CI bots): an exfiltration hour with ~250 distinct
 * repos, a new client family and a new network scored 0.67 (no alert at 0.70). With the option,
 * when x is above the tree sample's maximum on a node's split attribute, the split is treated as
 * if x had been in the node when it was drawn (the insertion view of Robust Random Cut Forest,
 * Guha et al. 2016): uniform in [node min, x], isolating x with probability
 * q = (x - node max) / (x - node min); the path length is the expectation over those chances.
 * Rows inside the sample range score exactly as without the option (the benign tail does not
 * move), and the farther above, the shorter the path (same hour: 0.78). Only "above": for token
 * activity more is suspicious, fewer is not.
 *
 * Deterministic: all randomness comes from a mulberry32 PRNG (seeded-random.ts) seeded by `seed`; same rows (same
 * order) + same options => bit-identical trees and scores. Cost is independent of the training
 * set size beyond one copy of it: O(t ψ log ψ) to train (2,048 rows: a few ms), O(t log ψ) to
 * score (~10 µs per row; {@link IsolationForestModel.scoreAbove} stops early, ~2-3x cheaper for
 * benign rows). Memory: flat typed arrays of 30 bytes per node, at most t (2ψ - 1) nodes
 * (~1.5 MB for t = 100, ψ = 256); token-hour data with its many duplicates gives ~110 nodes per
 * tree (~330 KB per model).
 */

/** Euler–Mascheroni constant. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * Average path length of an unsuccessful BST search among `n` points (Liu et al. eq. 1): the
 * normalization of path lengths, and the adjustment for a leaf holding `n` training points.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Training options of {@link IsolationForestModel.train}. */
export interface IsolationForestOptions {
  /** number of trees t (default 100) */
  trees?: number;
  /** rows per tree ψ, sampled without replacement (default 256; all rows when fewer) */
  sampleSize?: number;
  /** PRNG seed (integer; default 1). Same rows + same seed => same model. */
  seed?: number;
  /** height limit (default ⌈log2 ψ⌉, the paper's) */
  maxDepth?: number;
  /**
   * Extrapolate above the training range (default false: the paper's scores). See
   * {@link IsolationForestModel} "Extrapolation".
   */
  extrapolateAbove?: boolean;
}

/** How much one feature (or group of features) contributes to a row's score. */
export interface ScoreContribution {
  /** index into the `groups` passed to {@link IsolationForestModel.contributions} */
  group: number;
  /** score(row) - score(row with the group's features set to the reference values); > 0 pushes towards anomalous */
  drop: number;
}

const LEAF = -1;

/**
 * A trained isolation forest over fixed-length numeric rows. See the module comment for the
 * algorithm and why it replaces `ml-isolation-forest`.
 *
 * @example
 * const model = new IsolationForestModel().train(rows, { trees: 100, sampleSize: 256, seed: 7 });
 * model.score(row); // (0, 1], higher = more anomalous
 */
export class IsolationForestModel {
  /** feature index per node, {@link LEAF} for leaves */
  private feature: Int16Array = new Int16Array(0);
  /** split value per inner node (left: x <= split); for leaves the path adjustment c(leaf size) */
  private value: Float64Array = new Float64Array(0);
  /** index of the left child per inner node (right child = left + 1) */
  private left: Int32Array = new Int32Array(0);
  /** root node index per tree */
  private roots: Int32Array = new Int32Array(0);
  /** per inner node: min and max of its rows on its split attribute */
  private lo: Float64Array = new Float64Array(0);
  private hi: Float64Array = new Float64Array(0);
  /** per tree × attribute: max of the tree's sample (extrapolation applies above it) */
  private sampleMax: Float64Array = new Float64Array(0);
  private extrapolate = false;
  /** minRest[t]: least possible path sum of trees t.. (1 per tree, c(size) for a root leaf) */
  private minRest: Float64Array = new Float64Array(1);
  private norm = 1;
  private dims = 0;
  private rows = 0;
  private psi = 0;
  private scratch: Float64Array = new Float64Array(0);

  /** Whether {@link train} has run. */
  get trained(): boolean {
    return this.roots.length > 0;
  }

  /** Row length the model was trained on. */
  get dimensions(): number {
    return this.dims;
  }

  /** Number of training rows. */
  get trainedOn(): number {
    return this.rows;
  }

  /** Rows per tree actually used (min(ψ, training rows)). */
  get sampleSize(): number {
    return this.psi;
  }

  /** Number of trees. */
  get treeCount(): number {
    return this.roots.length;
  }

  /** Total nodes over all trees (memory: 30 bytes each). */
  get nodeCount(): number {
    return this.feature.length;
  }

  /**
   * Trains (or retrains, replacing the previous trees) on `rows`.
   * @throws RangeError when there are fewer than 2 rows, rows of different or zero length,
   * non-finite values, or invalid options.
   */
  train(rows: readonly (readonly number[])[], options: IsolationForestOptions = {}): this {
    const trees = options.trees ?? 100;
    const sampleSize = options.sampleSize ?? 256;
    const seed = options.seed ?? 1;
    if (!Number.isInteger(trees) || trees < 1 || trees > 10_000)
      throw new RangeError(`trees must be an integer in 1..10000, got ${trees}`);
    if (!Number.isInteger(sampleSize) || sampleSize < 2)
      throw new RangeError(`sampleSize must be an integer >= 2, got ${sampleSize}`);
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    const n = rows.length;
    if (n < 2) throw new RangeError(`need at least 2 training rows, got ${n}`);
    const d = rows[0]!.length;
    if (d < 1 || d > 32_767) throw new RangeError(`rows must have 1..32767 features, got ${d}`);

    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} features, expected ${d}`);
      for (let j = 0; j < d; j++) {
        const v = row[j]!;
        if (!Number.isFinite(v)) throw new RangeError(`row ${i} feature ${j} is not finite (${v})`);
        data[i * d + j] = v;
      }
    }

    const psi = Math.min(sampleSize, n);
    const maxDepth = options.maxDepth ?? Math.ceil(Math.log2(psi));
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 30)
      throw new RangeError(`maxDepth must be an integer in 1..30, got ${maxDepth}`);
    const builder = new TreeBuilder(data, d, trees * (2 * psi - 1), maxDepth, new SeededRandom(seed));

    const perm = new Int32Array(n);
    const sample = new Int32Array(psi);
    const roots = new Int32Array(trees);
    const sampleMax = new Float64Array(trees * d).fill(Number.NEGATIVE_INFINITY);
    for (let t = 0; t < trees; t++) {
      // Sample ψ distinct rows: partial Fisher–Yates over a fresh identity permutation.
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let i = 0; i < psi; i++) {
        const j = i + builder.rng.int(n - i);
        const tmp = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = tmp;
        sample[i] = perm[i]!;
        for (let f = 0; f < d; f++) {
          const v = data[sample[i]! * d + f]!;
          if (v > sampleMax[t * d + f]!) sampleMax[t * d + f] = v;
        }
      }
      roots[t] = builder.grow(sample, psi);
    }

    this.feature = builder.feature.slice(0, builder.used);
    this.value = builder.value.slice(0, builder.used);
    this.left = builder.left.slice(0, builder.used);
    this.lo = builder.lo.slice(0, builder.used);
    this.hi = builder.hi.slice(0, builder.used);
    this.roots = roots;
    this.sampleMax = sampleMax;
    this.extrapolate = options.extrapolateAbove ?? false;
    this.minRest = new Float64Array(trees + 1);
    for (let t = trees - 1; t >= 0; t--) {
      const root = roots[t]!;
      const least = this.feature[root] === LEAF ? this.value[root]! : 1;
      this.minRest[t] = this.minRest[t + 1]! + least;
    }
    this.norm = averagePathLength(psi);
    this.dims = d;
    this.scratch = new Float64Array(d);
    this.rows = n;
    this.psi = psi;
    return this;
  }

  /** Mean path length E[h(x)] over the trees. @throws like {@link score} */
  pathLength(row: readonly number[]): number {
    this.check(row);
    return this.pathSum(row, Number.POSITIVE_INFINITY) / this.roots.length;
  }

  /**
   * Anomaly score s(x) = 2^(-E[h(x)] / c(ψ)) in (0, 1]; higher is more anomalous.
   * @throws Error when untrained; RangeError on a row of the wrong length or with non-finite values.
   */
  score(row: readonly number[]): number {
    this.check(row);
    return 2 ** (-this.pathSum(row, Number.POSITIVE_INFINITY) / this.roots.length / this.norm);
  }

  /**
   * The {@link score} when it is at least `floor`, else undefined; decided after as few trees as
   * possible: every tree adds a path of at least 1, so once the trees so far plus that minimum for
   * the rest exceed the path length `floor` allows, the score cannot reach it. Benign rows usually
   * stop after about half of the trees. Exact: never undefined for a row whose score is ≥ floor.
   * @throws like {@link score}
   */
  scoreAbove(row: readonly number[], floor: number): number | undefined {
    this.check(row);
    if (!(floor > 0)) return this.score(row);
    // Path-sum limit for the floor, with a hair of slack so rounding can never cut a true hit.
    const limit = this.roots.length * this.norm * -Math.log2(floor) * (1 + 1e-9) + 1e-9;
    const total = this.pathSum(row, limit);
    if (total > limit) return undefined;
    const s = 2 ** (-total / this.roots.length / this.norm);
    return s >= floor ? s : undefined;
  }

  /**
   * Per-feature contributions by substitution: for each group of feature indices, the score drop
   * when those features of `row` are replaced by `reference` (e.g. the training medians). A group
   * lets correlated encodings move together (hour as sin + cos). Sorted by drop, largest first
   * (ties: lower group index first). Costs one {@link score} per group. Interactions are not
   * attributed: two features that are only jointly unusual each show a small drop.
   */
  contributions(
    row: readonly number[],
    reference: readonly number[],
    groups: readonly (readonly number[])[] = Array.from({ length: this.dims }, (_, j) => [j]),
  ): ScoreContribution[] {
    this.check(row);
    if (reference.length !== this.dims)
      throw new RangeError(`reference has ${reference.length} features, expected ${this.dims}`);
    const base = this.score(row);
    const probe = [...row];
    const out: ScoreContribution[] = [];
    for (let g = 0; g < groups.length; g++) {
      const idx = groups[g]!;
      for (const j of idx) probe[j] = reference[j]!;
      out.push({ group: g, drop: base - this.score(probe) });
      for (const j of idx) probe[j] = row[j]!;
    }
    return out.sort((a, b) => b.drop - a.drop || a.group - b.group);
  }

  private check(row: readonly number[]): void {
    if (!this.trained) throw new Error('IsolationForestModel: score() before train()');
    if (row.length !== this.dims)
      throw new RangeError(`row has ${row.length} features, expected ${this.dims}`);
    for (let j = 0; j < row.length; j++) {
      if (!Number.isFinite(row[j])) throw new RangeError(`feature ${j} is not finite (${row[j]})`);
    }
  }

  /**
   * Sum of the trees' path lengths; stops early (returning a partial sum > `stopAbove`) once the
   * sum so far plus the minimum of the remaining trees exceeds `stopAbove`.
   */
  private pathSum(input: readonly number[], stopAbove: number): number {
    const { feature, value, left, roots, lo, hi, sampleMax, dims, minRest } = this;
    // A typed copy keeps the hot loop monomorphic.
    const row = this.scratch;
    for (let j = 0; j < dims; j++) row[j] = input[j]!;
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      let depth = 0;
      let f = feature[node]!;
      if (!this.extrapolate) {
        while (f !== LEAF) {
          node = row[f]! <= value[node]! ? left[node]! : left[node]! + 1;
          f = feature[node]!;
          depth++;
        }
        total += depth + value[node]!;
        if (total + minRest[t + 1]! > stopAbove) return total + minRest[t + 1]!;
        continue;
      }
      // Expected path length when, beyond the tree's sample maximum, each split on that attribute
      // could have been drawn between the node's max and x (isolating x) with probability q.
      let survive = 1;
      let h = 0;
      while (f !== LEAF) {
        const x = row[f]!;
        if (x > sampleMax[t * dims + f]!) {
          const q = (x - hi[node]!) / (x - lo[node]!);
          h += survive * q * (depth + 1);
          survive *= 1 - q;
        }
        node = x <= value[node]! ? left[node]! : left[node]! + 1;
        f = feature[node]!;
        depth++;
      }
      total += h + survive * (depth + value[node]!);
      if (total + minRest[t + 1]! > stopAbove) return total + minRest[t + 1]!;
    }
    return total;
  }
}

/** Grows trees into flat arrays (doubled when full); partitions sample indices in place. */
class TreeBuilder {
  feature: Int16Array;
  value: Float64Array;
  left: Int32Array;
  lo: Float64Array;
  hi: Float64Array;
  used = 0;

  constructor(
    private readonly data: Float64Array,
    private readonly d: number,
    capacity: number,
    private readonly maxDepth: number,
    readonly rng: SeededRandom,
  ) {
    this.feature = new Int16Array(capacity);
    this.value = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.lo = new Float64Array(capacity);
    this.hi = new Float64Array(capacity);
  }

  /** Grows one tree over the sample `idx[0, size)`; returns its root node index. */
  grow(idx: Int32Array, size: number): number {
    const root = this.alloc();
    this.build(root, idx, 0, size, 0);
    return root;
  }

  /** Fills `node` with the subtree over `idx[lo, hi)` at `depth` (children are allocated side by side). */
  private build(node: number, idx: Int32Array, lo: number, hi: number, depth: number): void {
    const size = hi - lo;
    if (depth >= this.maxDepth || size <= 1) {
      this.leaf(node, size);
      return;
    }
    const { data, d } = this;
    const f = this.rng.int(d);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = lo; i < hi; i++) {
      const v = data[idx[i]! * d + f]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    let split = min;
    if (max > min) {
      split = min + this.rng.next() * (max - min);
    } else if (this.duplicates(idx, lo, hi)) {
      this.leaf(node, size);
      return;
    }
    // Partition: rows with x[f] <= split first (all of them when the attribute is constant here).
    let i = lo;
    let k = hi - 1;
    while (i <= k) {
      if (data[idx[i]! * d + f]! <= split) {
        i++;
      } else {
        const tmp = idx[i]!;
        idx[i] = idx[k]!;
        idx[k] = tmp;
        k--;
      }
    }
    const l = this.alloc();
    this.alloc(); // right child, l + 1
    this.feature[node] = f;
    this.value[node] = split;
    this.left[node] = l;
    this.lo[node] = min;
    this.hi[node] = max;
    this.build(l, idx, lo, i, depth + 1);
    this.build(l + 1, idx, i, hi, depth + 1);
  }

  /** Whether all rows of `idx[lo, hi)` are identical (no attribute varies). */
  private duplicates(idx: Int32Array, lo: number, hi: number): boolean {
    const { data, d } = this;
    const first = idx[lo]! * d;
    for (let i = lo + 1; i < hi; i++) {
      const row = idx[i]! * d;
      for (let j = 0; j < d; j++) if (data[row + j] !== data[first + j]) return false;
    }
    return true;
  }

  private alloc(): number {
    if (this.used >= this.feature.length) {
      const grow = <T extends Int16Array | Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.feature = grow(this.feature, (n) => new Int16Array(n));
      this.value = grow(this.value, (n) => new Float64Array(n));
      this.left = grow(this.left, (n) => new Int32Array(n));
      this.lo = grow(this.lo, (n) => new Float64Array(n));
      this.hi = grow(this.hi, (n) => new Float64Array(n));
    }
    return this.used++;
  }

  private leaf(node: number, size: number): void {
    this.feature[node] = LEAF;
    this.value[node] = averagePathLength(size);
  }
}
