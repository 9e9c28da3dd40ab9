import type { WeightedSamples } from './robust-stats.js';

/** Values below this are binned exactly (one bin per integer, fractions floored). */
export const EXACT_LIMIT = 64;
/**
 * Default log bins per doubling above {@link EXACT_LIMIT}: relative bin width 2^(1/8) - 1 = 9.1%,
 * so a bin's representative (geometric centre) is within ±4.4% of any value in it. With 4 per
 * doubling (used for gaps) the bound is ±9%.
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

/**
 * Sparse log-scaled histogram of non-negative values (per-hour counts, bytes, gaps in ms). Size is
 * bounded by the value range, not the sample count: at most 64 exact bins plus `perDoubling` per
 * doubling above 64 (e.g. <= 64 + 8 x 34 = 336 bins up to 1e12), in practice a few dozen occupied.
 */
export class LogHistogram {
  /** bin index -> count */
  private readonly bins = new Map<number, number>();
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

  /** Adds `count` samples of `value`. */
  add(value: number, count = 1): void {
    if (count <= 0) return;
    const b = binOf(value, this.perDoubling);
    this.bins.set(b, (this.bins.get(b) ?? 0) + count);
    this.total += count;
  }

  /** Appends the histogram as flat `[representative value, count]` pairs to `out`. */
  appendSamples(out: WeightedSamples): WeightedSamples {
    for (const [b, c] of this.bins) out.push(binValue(b, this.perDoubling), c);
    return out;
  }

  /**
   * Serialized form: `[first bin, count, count, -k, count, ...]`: counts of consecutive bins from
   * the first occupied one, a run of k empty bins written as `-k` (`[]` when empty).
   */
  toJSON(): number[] {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    if (keys.length === 0) return [];
    const out: number[] = [keys[0]!];
    let next = keys[0]!;
    for (const k of keys) {
      if (k > next) out.push(next - k);
      out.push(this.bins.get(k)!);
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
      h.bins.set(bin, c);
      h.total += c;
      bin++;
    }
    return h;
  }
}
