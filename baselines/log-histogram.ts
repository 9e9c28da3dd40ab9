import { EMPTY_STATS, sortedStats } from './robust-stats.js';
import type { RobustStats } from './types.js';

/** Values below this are binned exactly (one bin per integer, fractions floored). */
export const EXACT_LIMIT = 64;
/**
 * Default log bins per doubling above {@link EXACT_LIMIT}: relative bin width 2^(1/8) - 1 = 9.1%,
 * so a bin's representative (geometric centre) is within 2^(1/16) - 1 = 4.5% of any value in it. With 4 per
 * doubling (used for gaps) the bound is 2^(1/8) - 1 = 9.1%.
 */
export const BINS_PER_DOUBLING = 8;

/** Bin index of a non-negative value (negative and NaN count as 0). */
export const binOf = (value: number, perDoubling = BINS_PER_DOUBLING): number => {
  if (!(value > 0)) return 0;
  if (value < EXACT_LIMIT) return Math.floor(value);
  return EXACT_LIMIT + Math.floor(Math.log2(value / EXACT_LIMIT) * perDoubling);
};

/** Representative value of a bin: the integer itself below {@link EXACT_LIMIT}, else the bin's geometric centre. */
export const binValue = (bin: number, perDoubling = BINS_PER_DOUBLING): number =>
  bin < EXACT_LIMIT ? bin : EXACT_LIMIT * 2 ** ((bin - EXACT_LIMIT + 0.5) / perDoubling);

/** Memoized {@link binValue} per resolution (bins up to 2^64 worth of doublings). */
const valueTables = new Map<number, Float64Array>();
const valueTable = (perDoubling: number): Float64Array => {
  let t = valueTables.get(perDoubling);
  if (t === undefined) {
    t = new Float64Array(EXACT_LIMIT + 64 * perDoubling);
    for (let b = 0; b < t.length; b++) t[b] = binValue(b, perDoubling);
    valueTables.set(perDoubling, t);
  }
  return t;
};

/** Shared scratch for representatives while computing stats (single-threaded, never retained). */
let scratchValues = new Float64Array(1024);
let scratchCounts = new Float64Array(1024);

/**
 * Sparse log-scaled histogram of non-negative values (per-hour counts, bytes, gaps in ms), kept
 * as ascending parallel arrays so stats need no sorting. Size is bounded by the value range, not
 * the sample count: at most 64 exact bins plus `perDoubling` per doubling above 64 (<= 64 + 8 x
 * 34 = 336 bins up to 1e12), in practice a few dozen occupied.
 */
export class LogHistogram {
  /** occupied bins ascending, interleaved with their counts: [bin, count, bin, count, ...] */
  private readonly cells: number[] = [];
  private total = 0;
  /** log bins per doubling */
  readonly perDoubling: number;

  constructor(perDoubling = BINS_PER_DOUBLING) {
    this.perDoubling = perDoubling;
  }

  /** Number of samples. */
  get count(): number {
    return this.total;
  }

  /** Cell index (even) of `bin`, or -(insertion cell index) - 1. */
  private find(bin: number): number {
    const c = this.cells;
    let lo = 0;
    let hi = (c.length >> 1) - 1;
    if (hi >= 0 && c[2 * hi] === bin) return 2 * hi;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = c[2 * mid]!;
      if (v < bin) lo = mid + 1;
      else if (v > bin) hi = mid - 1;
      else return 2 * mid;
    }
    return -2 * lo - 1;
  }

  /** Adds `count` samples of `value`. */
  add(value: number, count = 1): void {
    if (count <= 0) return;
    const bin = binOf(value, this.perDoubling);
    const i = this.find(bin);
    if (i >= 0) this.cells[i + 1]! += count;
    else this.cells.splice(-i - 1, 0, bin, count);
    this.total += count;
  }

  /** Removes `count` samples of `value` previously added (no-op for samples not present). */
  remove(value: number, count = 1): void {
    if (count <= 0) return;
    const i = this.find(binOf(value, this.perDoubling));
    if (i < 0) return;
    const have = this.cells[i + 1]!;
    const c = Math.min(count, have);
    this.total -= c;
    if (c === have) this.cells.splice(i, 2);
    else this.cells[i + 1] = have - c;
  }

  /** Robust stats of the samples (bin representatives), with the exact `max`. O(occupied bins). */
  stats(max: number): RobustStats {
    const cells = this.cells;
    const len = cells.length >> 1;
    if (len === 0) return EMPTY_STATS;
    if (scratchValues.length < len) {
      scratchValues = new Float64Array(len * 2);
      scratchCounts = new Float64Array(len * 2);
    }
    const table = valueTable(this.perDoubling);
    for (let i = 0; i < len; i++) {
      const b = cells[2 * i]!;
      scratchValues[i] = b < table.length ? table[b]! : binValue(b, this.perDoubling);
      scratchCounts[i] = cells[2 * i + 1]!;
    }
    return sortedStats(scratchValues, scratchCounts, len, this.total, max);
  }

  /**
   * Serialized form: `[first bin, count, count, -k, count, ...]`: counts of consecutive bins from
   * the first occupied one, a run of k empty bins written as `-k` (`[]` when empty).
   */
  toJSON(): number[] {
    const cells = this.cells;
    if (cells.length === 0) return [];
    const out: number[] = [cells[0]!];
    let next = cells[0]!;
    for (let i = 0; i < cells.length; i += 2) {
      const k = cells[i]!;
      if (k > next) out.push(next - k);
      out.push(cells[i + 1]!);
      next = k + 1;
    }
    return out;
  }

  /** Inverse of {@link toJSON}. */
  static fromJSON(encoded: readonly number[], perDoubling = BINS_PER_DOUBLING): LogHistogram {
    const h = new LogHistogram(perDoubling);
    let bin = encoded[0] ?? 0;
    for (let i = 1; i < encoded.length; i++) {
      const c = encoded[i]!;
      if (c < 0) {
        bin -= c;
        continue;
      }
      h.cells.push(bin, c);
      h.total += c;
      bin++;
    }
    return h;
  }
}
