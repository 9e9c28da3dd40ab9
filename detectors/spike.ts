import { z } from 'zod';
import type { RobustStats } from '../baselines/types.js';

/**
 * Hourly spike test shared by the volume detectors: the running total of the current event-time
 * hour is compared with the entity's robust hourly baseline (median/MAD, p99, max).
 *
 * The threshold is the largest of:
 * - `spikeP99Multiple` x p99 (far beyond the usual busy hour; a bot whose p99 is already high, N4,
 *   stays quiet),
 * - median + `spikeZ` robust standard deviations (1.4826 x MAD, at least 1),
 * - {@link SEASONAL_MAX_MULTIPLE} x the largest hour ever seen (a quarterly backfill that happened
 *   before, N5, is expected at that size),
 * - an absolute floor per metric (5 -> 40 events is not an incident).
 * With fewer than {@link MIN_HOURLY_SAMPLES} hourly samples only a higher no-history floor applies.
 *
 * A finding is raised once, on the event that crosses the threshold (`before < threshold <= after`);
 * the alert grouping window folds anything later.
 */

/** Settings shared by the volume detectors (each declares them, so each can be tuned alone). */
export const SPIKE_SETTINGS = {
  spikeZ: z.number().min(2).max(50).default(6).describe('Robust z-score (MAD based) a spike must reach'),
  spikeP99Multiple: z
    .number()
    .min(1)
    .max(100)
    .default(3)
    .describe('And at least this multiple of the hourly p99'),
};

/** Statistics of an entity with no hourly history (only the no-history floor applies). */
export const NO_STATS: RobustStats = Object.freeze({ n: 0, median: 0, mad: 0, p99: 0, max: 0 });

/** Hourly samples needed before the baseline statistics are trusted. */
export const MIN_HOURLY_SAMPLES = 10;
/** A spike must exceed the largest hour in history by this factor (seasonality guard). */
export const SEASONAL_MAX_MULTIPLE = 1.5;
/** MAD to standard deviation for normal data. */
const MAD_TO_SIGMA = 1.4826;

export interface SpikeFloors {
  /** Minimum hourly total that can be a spike when the baseline is trusted. */
  floor: number;
  /** Minimum hourly total when the baseline has too few hourly samples for this metric. */
  noHistoryFloor: number;
}

export interface Spike {
  threshold: number;
  /** robust z of the hourly total against the baseline (0 without history) */
  zscore: number;
  /** how many times the threshold the hourly total is */
  ratio: number;
  /** true when the baseline had too few hourly samples and only the no-history floor applied */
  noHistory: boolean;
}

/** The spike crossed by moving the hourly total from `before` to `after`, if any. */
export function spikeCrossing(
  stats: RobustStats,
  before: number,
  after: number,
  floors: SpikeFloors,
  settings: { readonly spikeZ: number; readonly spikeP99Multiple: number },
): Spike | undefined {
  if (!(after > before)) return undefined;
  const noHistory = stats.n < MIN_HOURLY_SAMPLES;
  const sigma = Math.max(MAD_TO_SIGMA * stats.mad, 1);
  const threshold = noHistory
    ? floors.noHistoryFloor
    : Math.max(
        settings.spikeP99Multiple * stats.p99,
        stats.median + settings.spikeZ * sigma,
        SEASONAL_MAX_MULTIPLE * stats.max,
        floors.floor,
      );
  if (!(before < threshold && after >= threshold)) return undefined;
  return {
    threshold,
    zscore: noHistory ? 0 : Math.round(((after - stats.median) / sigma) * 10) / 10,
    ratio: after / threshold,
    noHistory,
  };
}
