import type { WeightedSamples } from './robust-stats.js';

/** Values below this are binned exactly (one bin per integer, fractions floored). */
export const EXACT_LIMIT = 64;
/** Log bins per doubling above {@link EXACT_LIMIT}: relative bin width 2^(1/16) - 1 = 4.4%, so a
 * bin's representative (geometric centre) is within ±2.2% of any value in it. */
export const BINS_PER_DOUBLING = 16;

/** Bin index of a non-negative value (negative and NaN count as 0). */
export const binOf = (value: number): number => {
  if (!(value > 0)) return 0;
  if (value < EXACT_LIMIT) return Math.floor(value);
  return EXACT_LIMIT + Math.floor(Math.log2(value / EXACT_LIMIT) * BINS_PER_DOUBLING);
};

/** Representative value of a bin: the integer itself below {@link EXACT_LIMIT}, else the bin's geometric centre. */
export const binValue = (bin: number): number =>
  bin < EXACT_LIMIT ? bin : EXACT_LIMIT * 2 ** ((bin - EXACT_LIMIT + 0.5) / BINS_PER_DOUBLING);

/**
 * Sparse log-scaled histogram of non-negative values (per-hour counts, bytes, gaps in ms). Size is
 * bounded by the value range, not the sample count: at most 64 exact bins plus 16 per doubling
 * above 64 (e.g. <= 64 + 16 x 34 = 608 bins up to 1e12), in practice a few dozen occupied bins.
 */
export class LogHistogram {
  /** bin index -> count */
  private readonly bins = new Map<number, number>();
  private total = 0;

  /** Number of samples. */
  get count(): number {
    return this.total;
  }

  /** Adds `count` samples of `value`. */
  add(value: number, count = 1): void {
    if (count <= 0) return;
    const b = binOf(value);
    this.bins.set(b, (this.bins.get(b) ?? 0) + count);
    this.total += count;
  }

  /** Appends the histogram as flat `[representative value, count]` pairs to `out`. */
  appendSamples(out: WeightedSamples): WeightedSamples {
    for (const [b, c] of this.bins) out.push(binValue(b), c);
    return out;
  }

  /** Flat `[bin, count, ...]` sorted by bin: the serialized form. */
  toJSON(): number[] {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const out: number[] = [];
    for (const k of keys) out.push(k, this.bins.get(k)!);
    return out;
  }

  /** Inverse of {@link toJSON}. */
  static fromJSON(flat: readonly number[]): LogHistogram {
    const h = new LogHistogram();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const c = flat[i + 1]!;
      h.bins.set(flat[i]!, c);
      h.total += c;
    }
    return h;
  }
}
