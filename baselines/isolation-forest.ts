/**
 * Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008), hand-rolled, seeded and
 * subsampled.
 *
 * Why not `ml-isolation-forest` 0.1.0 (still in package.json; `isolation-forest.test.ts` keeps a
 * cross-check against it). Read from its `src/` and `lib/index.js` and measured (Node 20, d = 11,
 * 100 trees):
 * - **Not reproducible.** `TreeNode.train` draws split features and values with `Math.random()`
 *   and takes no seed: two fits on the same 2,048 rows scored the same row 0.5695 and 0.5662, so a
 *   replay would not give the same alerts. Swapping `Math.random` during the fit would fix this but
 *   leaves the problems below.
 * - **No subsampling.** Every tree is grown on the whole training set to depth ⌈log2 n⌉, not on a
 *   ψ = 256 sample: training 2,048 rows took 156 ms and scoring 107 µs/row (21 µs/row when trained
 *   on 256 rows; 1.0 s and 307 µs/row at 10k rows), with ~26 MB of heap per 2,048-row forest,
 *   because every node keeps a filtered copy of its rows and every leaf keeps its rows.
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
 * Deterministic: all randomness comes from a mulberry32 PRNG seeded by `seed`; same rows (same
 * order) + same options => bit-identical trees and scores. Cost is independent of the training
 * set size beyond one copy of it: O(t ψ log ψ) to train (2,048 rows: a few ms), O(t log ψ) to
 * score (a few µs per row). Memory: flat typed arrays, at most t (2^(h+1) - 1) nodes × 14 bytes
 * (~700 KiB for t = 100, ψ = 256; usually about half of that).
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

/**
 * mulberry32: a tiny seeded PRNG with a 32-bit state that can be saved and restored (snapshots).
 * Not cryptographic; statistically fine for sampling and random splits.
 */
export class SeededRandom {
  /** current 32-bit state; assign a saved value to resume the sequence */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
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
   * Indices of the attributes splits may use (default: all). Leave out attributes that carry no
   * information for this training set (constant everywhere and meaningless above that constant),
   * since every attribute drawn dilutes the depth budget (height limit) of the informative ones.
   */
  features?: readonly number[];
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

  /** Total nodes over all trees (memory: 14 bytes each). */
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
    const features = options.features ?? Array.from({ length: d }, (_, j) => j);
    if (features.length === 0 || features.some((j) => !Number.isInteger(j) || j < 0 || j >= d)) {
      throw new RangeError(`features must be a non-empty list of indices in 0..${d - 1}`);
    }
    const builder = new TreeBuilder(
      data,
      d,
      Int32Array.from(features),
      trees * (2 * psi - 1),
      maxDepth,
      new SeededRandom(seed),
    );

    const perm = new Int32Array(n);
    const sample = new Int32Array(psi);
    const roots = new Int32Array(trees);
    for (let t = 0; t < trees; t++) {
      // Sample ψ distinct rows: partial Fisher–Yates over a fresh identity permutation.
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let i = 0; i < psi; i++) {
        const j = i + builder.rng.int(n - i);
        const tmp = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = tmp;
        sample[i] = perm[i]!;
      }
      roots[t] = builder.grow(sample, psi);
    }

    this.feature = builder.feature.slice(0, builder.used);
    this.value = builder.value.slice(0, builder.used);
    this.left = builder.left.slice(0, builder.used);
    this.roots = roots;
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
    return this.meanPath(row);
  }

  /**
   * Anomaly score s(x) = 2^(-E[h(x)] / c(ψ)) in (0, 1]; higher is more anomalous.
   * @throws Error when untrained; RangeError on a row of the wrong length or with non-finite values.
   */
  score(row: readonly number[]): number {
    this.check(row);
    return 2 ** (-this.meanPath(row) / this.norm);
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
    const base = 2 ** (-this.meanPath(row) / this.norm);
    const probe = [...row];
    const out: ScoreContribution[] = [];
    for (let g = 0; g < groups.length; g++) {
      const idx = groups[g]!;
      for (const j of idx) probe[j] = reference[j]!;
      out.push({ group: g, drop: base - 2 ** (-this.meanPath(probe) / this.norm) });
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

  private meanPath(input: readonly number[]): number {
    const { feature, value, left, roots } = this;
    // A typed copy keeps the hot loop monomorphic (about 2x faster than indexing a number[]).
    const row = this.scratch;
    for (let j = 0; j < this.dims; j++) row[j] = input[j]!;
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      let depth = 0;
      let f = feature[node]!;
      while (f !== LEAF) {
        node = row[f]! <= value[node]! ? left[node]! : left[node]! + 1;
        f = feature[node]!;
        depth++;
      }
      total += depth + value[node]!;
    }
    return total / roots.length;
  }
}

/** Grows trees into flat arrays (doubled when full); partitions sample indices in place. */
class TreeBuilder {
  feature: Int16Array;
  value: Float64Array;
  left: Int32Array;
  used = 0;

  constructor(
    private readonly data: Float64Array,
    private readonly d: number,
    private readonly features: Int32Array,
    capacity: number,
    private readonly maxDepth: number,
    readonly rng: SeededRandom,
  ) {
    this.feature = new Int16Array(capacity);
    this.value = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
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
    const f = this.features[this.rng.int(this.features.length)]!;
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
    this.build(l, idx, lo, i, depth + 1);
    this.build(l + 1, idx, i, hi, depth + 1);
  }

  /** Whether all rows of `idx[lo, hi)` are identical on the split attributes. */
  private duplicates(idx: Int32Array, lo: number, hi: number): boolean {
    const { data, d, features } = this;
    const first = idx[lo]! * d;
    for (let i = lo + 1; i < hi; i++) {
      const row = idx[i]! * d;
      for (const j of features) if (data[row + j] !== data[first + j]) return false;
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
    }
    return this.used++;
  }

  private leaf(node: number, size: number): void {
    this.feature[node] = LEAF;
    this.value[node] = averagePathLength(size);
  }
}
