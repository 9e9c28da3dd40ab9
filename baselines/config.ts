import { z } from 'zod';
import { BaselineConfigError } from './errors.js';

/**
 * Baseline store configuration. Only the first three are usually set; the rest tune memory and
 * late-event tolerance.
 */
export const baselineConfigSchema = z.strictObject({
  /** History span (days, lastSeen - firstSeen) an entity needs before it is `mature`. */
  learningDays: z.number().nonnegative().default(7),
  /** And events it needs before it is `mature`. */
  learningEvents: z.number().int().nonnegative().default(30),
  /** Max distinct values kept per dimension per entity (see capped-set.ts for eviction). */
  setCap: z.number().int().min(1).max(4096).default(32),
  /** Max entities kept per kind (token, app, owner); least recently updated are evicted. Unbounded when unset. */
  maxEntities: z.number().int().positive().optional(),
  /** Hours of exact hour buckets kept for late events before folding into histograms. */
  lateToleranceHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(48),
  /** Window (ms) of `CurrentWindow.newResourceTimes` / `newActionTimes`. */
  recentWindowMs: z.number().int().positive().default(3_600_000),
  /** Max entries of each of those lists (oldest dropped). */
  recentCap: z.number().int().min(1).max(4096).default(64),
  /** Max scopes kept in the scopes union. */
  maxScopes: z.number().int().min(1).max(4096).default(128),
});

/** Validated configuration with defaults applied. */
export type BaselineConfig = Readonly<z.output<typeof baselineConfigSchema>>;
/** What callers may pass (every field optional). */
export type BaselineConfigInput = z.input<typeof baselineConfigSchema>;

/** Validates and freezes a configuration; throws {@link BaselineConfigError} listing the issues. */
export const parseBaselineConfig = (input: BaselineConfigInput = {}): BaselineConfig => {
  const r = baselineConfigSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BaselineConfigError(`invalid baseline config: ${issues}`, { cause: r.error });
  }
  return Object.freeze(r.data);
};

/** The defaults. */
export const DEFAULT_BASELINE_CONFIG: BaselineConfig = parseBaselineConfig();
